import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '@herd/core';
import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { decodeText, detectLineEnding } from './decode-text.js';
import { withFileLock } from './file-lock.js';
import type { WorkspaceFileSystem } from './workspace-file-system.js';
import { writeFileAtomically } from './write-file-atomically.js';

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
        let text = content;
        let bom = false;
        let created = true;
        if (target.exists) {
          if ((await stat(target.absolute)).isDirectory()) {
            throw new UserError({
              code: 'is_a_directory',
              message: `'${filePath}' is a directory; give the path of a file inside it.`,
            });
          }
          const previous = fileSystem
            ? {
                text: await fileSystem.readTextFile({ absolutePath: target.absolute, signal }),
                bom: false,
              }
            : decodeText(await readFile(target.absolute));
          bom = previous.bom;
          created = false;
          if (previous.text.includes('\n')) text = withLineEnding(content, detectLineEnding(previous.text));
        }
        if (fileSystem) {
          if (created) await mkdir(path.dirname(target.absolute), { recursive: true });
          await fileSystem.writeTextFile({ absolutePath: target.absolute, content: text, signal });
          const written = Buffer.byteLength(text);
          return {
            content: `${created ? 'Created' : 'Wrote'} ${target.relative} (${written} bytes) in ${fileSystem.description}.`,
            data: { path: target.relative, bytes: written, created },
          };
        }
        const bytes = Buffer.from(bom ? `\uFEFF${text}` : text, 'utf8');
        await writeFileAtomically({ jail, target, bytes, shownPath: filePath });
        return {
          content: `${created ? 'Created' : 'Wrote'} ${target.relative} (${bytes.length} bytes).`,
          data: { path: target.relative, bytes: bytes.length, created },
        };
      });
    },
  });
}
