import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ResolvedPath, WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { detectLineEnding, sniffTextShape, type TextShape } from './decode-text.js';
import { withFileLock } from './file-lock.js';
import { showPath } from './show-path.js';
import type { WorkspaceFileSystem } from './workspace-file-system.js';
import { writeFileAtomically } from './write-file-atomically.js';
import { isADirectoryError, openCurrentFile, type WriteTarget, withWriteTarget } from './write-target.js';

const WriteFileInputSchema = z.object({
  path: z.string().describe('File path relative to the workspace root; missing directories are created.'),
  content: z.string().describe('The complete new content of the file.'),
});

/** Converts text to a line ending, whatever mix it had. */
export function withLineEnding(text: string, lineEnding: '\r\n' | '\n'): string {
  const lf = text.replaceAll('\r\n', '\n');
  return lineEnding === '\n' ? lf : lf.replaceAll('\n', '\r\n');
}

/** Options for {@link createWriteFileTool} and `createEditFileTool`. */
export interface FileWriteToolOptions {
  /** The workspace jail. */
  jail: WorkspaceJail;
  /** Where text is read and written once the jail accepted the path (an editor's buffers); default the disk. */
  fileSystem?: WorkspaceFileSystem;
}

/**
 * Creates `write_file`: writes a whole file atomically (temporary file + rename) through the jail, keeping an
 * existing file's permission bits, line endings (CRLF stays CRLF) and UTF-8 byte order mark. With a
 * `fileSystem`, the jail still decides and line endings are kept, and the text goes to the file system instead.
 */
export function createWriteFileTool(options: FileWriteToolOptions) {
  const { jail, fileSystem } = options;
  return defineTool({
    name: 'write_file',
    description:
      'Create or overwrite a file with complete content. Prefer edit_file for changes to an existing file. Line endings of an existing file are kept.',
    input: WriteFileInputSchema,
    access: 'write',
    examples: [{ path: 'notes/todo.md', content: '# To do\n' }],
    async run({ path: filePath, content }, { signal }) {
      const target = await jail.resolve({ path: filePath, intent: 'write' });
      return withFileLock(target.absolute, async () => {
        if (fileSystem)
          return writeThroughFileSystem({ jail, fileSystem, target, filePath, content, signal });
        return withWriteTarget({ jail, target, shownPath: filePath, create: true }, async (file) => {
          const shape = await currentTextShape(file);
          const text = shape?.lineEnding ? withLineEnding(content, shape.lineEnding) : content;
          const bytes = Buffer.from(shape?.bom ? `\uFEFF${text}` : text, 'utf8');
          await writeFileAtomically({ jail, target: file, bytes });
          const created = shape === undefined;
          return {
            content: `${created ? 'Created' : 'Wrote'} ${showPath(target.relative)} (${bytes.length} bytes).`,
            data: { path: target.relative, bytes: bytes.length, created },
          };
        });
      });
    },
  });
}

/** How much of an existing file is read to learn its byte order mark and line ending. */
const shapeSampleBytes = 65_536;

/** The byte order mark and line ending of the file a write replaces; undefined when there is none yet. */
async function currentTextShape(target: WriteTarget): Promise<TextShape | undefined> {
  const opened = await openCurrentFile(target);
  if (!opened) return undefined;
  try {
    const sample = Buffer.alloc(Math.min(shapeSampleBytes, opened.stats.size));
    const { bytesRead } = await opened.handle.read(sample, 0, sample.length, 0);
    return sniffTextShape(sample.subarray(0, bytesRead));
  } finally {
    await opened.handle.close();
  }
}

/** write_file through a file system (an editor's buffers): the jail decides, the file system reads and writes. */
async function writeThroughFileSystem(options: {
  jail: WorkspaceJail;
  fileSystem: WorkspaceFileSystem;
  target: ResolvedPath;
  filePath: string;
  content: string;
  signal: AbortSignal;
}) {
  const { jail, fileSystem, target, filePath, content, signal } = options;
  let text = content;
  let created = true;
  if (target.exists) {
    if ((await stat(target.absolute)).isDirectory()) throw isADirectoryError(filePath);
    const previous = await fileSystem.readTextFile({ absolutePath: target.absolute, signal });
    created = false;
    if (previous.includes('\n')) text = withLineEnding(content, detectLineEnding(previous));
  }
  if (created) {
    // Missing folders are made inside held folders, so a folder swapped for a symlink cannot place them outside.
    const folder = await jail.openDirectory({
      relative: path.posix.dirname(target.relative),
      path: filePath,
      create: true,
    });
    await folder.close();
  }
  await fileSystem.writeTextFile({ absolutePath: target.absolute, content: text, signal });
  const written = Buffer.byteLength(text);
  return {
    content: `${created ? 'Created' : 'Wrote'} ${showPath(target.relative)} (${written} bytes) in ${fileSystem.description}.`,
    data: { path: target.relative, bytes: written, created },
  };
}
