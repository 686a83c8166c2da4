import { readFile, stat } from 'node:fs/promises';
import { UserError } from '@herd/core';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { z } from 'zod';
import { defineTool } from '../tool/define-tool.js';
import { applySearchReplace } from './apply-search-replace.js';
import { type DecodedText, decodeText, detectLineEnding } from './decode-text.js';
import { withFileLock } from './file-lock.js';
import { missingPathError } from './missing-path-error.js';
import type { WorkspaceFileSystem } from './workspace-file-system.js';
import { writeFileAtomically } from './write-file-atomically.js';
import { type FileWriteToolOptions, withLineEnding } from './write-file-tool.js';

const EditFileInputSchema = z
  .object({
    path: z.string().describe('File path relative to the workspace root.'),
    edits: z
      .array(
        z.object({
          search: z
            .string()
            .describe(
              'Exact current text to replace, copied from read_file (include enough lines to be unique).',
            ),
          replace: z.string().describe('The new text.'),
          replaceAll: z.boolean().optional().describe('Replace every occurrence. Default false.'),
        }),
      )
      .min(1)
      .optional()
      .describe('Search/replace blocks applied in order; either edits or diff.'),
    diff: z
      .string()
      .min(1)
      .optional()
      .describe('A unified diff for this one file (---/+++/@@ hunks); either edits or diff.'),
  })
  .refine((input) => (input.edits === undefined) !== (input.diff === undefined), {
    message: 'pass exactly one of edits or diff',
    path: ['edits'],
  });

const diffSummaryLimit = 4000;

const applyUnifiedDiff = (text: string, diff: string, path: string): string => {
  let patches: ReturnType<typeof parsePatch>;
  try {
    patches = parsePatch(diff.replaceAll('\r\n', '\n'));
  } catch (error) {
    throw new UserError({
      code: 'diff_invalid',
      message: `The diff for '${path}' cannot be parsed (${(error as Error).message}); send a unified diff with @@ hunk headers.`,
    });
  }
  const withHunks = patches.filter((patch) => patch.hunks.length > 0);
  if (withHunks.length !== 1) {
    throw new UserError({
      code: 'diff_invalid',
      message: `The diff for '${path}' has ${withHunks.length} file sections with hunks; send exactly one file's hunks per edit_file call.`,
    });
  }
  const result = applyPatch(text, withHunks[0]!, { fuzzFactor: 0 });
  if (result === false) {
    throw new UserError({
      code: 'diff_does_not_apply',
      message: `The diff does not apply to '${path}': its context or removed lines differ from the file.`,
      hint: 'Read the file again and build the diff from its current content, or use edits.',
    });
  }
  return result;
};

/**
 * Creates `edit_file`: exact search/replace blocks (zero or several matches is an error that shows the closest
 * candidates or the matching lines) or one unified diff, applied atomically with line endings, mode and BOM kept.
 * Concurrent edits of one file are applied one after the other. With a `fileSystem`, the jail still decides, the
 * current text (unsaved changes included) comes from it and the edited text goes back to it.
 */
export function createEditFileTool(options: FileWriteToolOptions) {
  const { jail, fileSystem } = options;
  return defineTool({
    name: 'edit_file',
    description:
      'Change an existing file with exact search/replace blocks ("edits") or one unified diff ("diff"). Each search must match the current file exactly once.',
    input: EditFileInputSchema,
    access: 'write',
    examples: [
      { path: 'src/app.ts', edits: [{ search: 'const port = 3000;', replace: 'const port = 8080;' }] },
    ],
    async run({ path: filePath, edits, diff }, { signal }) {
      const target = await jail.resolve({ path: filePath, intent: 'write' });
      if (!target.exists) throw missingPathError(filePath);
      return withFileLock(target.absolute, async () => {
        const decoded = fileSystem
          ? await readThroughFileSystem({ fileSystem, absolutePath: target.absolute, filePath, signal })
          : decodeText(
              await readFile(target.absolute).catch((error: NodeJS.ErrnoException) => {
                if (error.code === 'EISDIR') {
                  throw new UserError({
                    code: 'is_a_directory',
                    message: `'${filePath}' is a directory; give the path of a file.`,
                  });
                }
                throw error;
              }),
            );
        const lineEnding = detectLineEnding(decoded.text);
        const before = decoded.text.replaceAll('\r\n', '\n');
        const after = edits
          ? applySearchReplace({ text: before, edits, path: filePath })
          : applyUnifiedDiff(before, diff!, filePath);
        if (after === before) {
          return {
            content: `No change: the edit leaves ${target.relative} as it was.`,
            data: { path: target.relative, changed: false, diff: '' },
          };
        }
        const text = withLineEnding(after, lineEnding);
        const encoded =
          decoded.encoding === 'latin-1'
            ? Buffer.from(text, 'latin1')
            : Buffer.from(decoded.bom ? `\uFEFF${text}` : text, 'utf8');
        if (fileSystem)
          await fileSystem.writeTextFile({ absolutePath: target.absolute, content: text, signal });
        else await writeFileAtomically({ jail, target, bytes: encoded, shownPath: filePath });
        const patch = createTwoFilesPatch(
          `a/${target.relative}`,
          `b/${target.relative}`,
          before,
          after,
          '',
          '',
          { context: 2 },
        );
        const shown =
          patch.length > diffSummaryLimit
            ? `${patch.slice(0, diffSummaryLimit)}\n[diff cut at ${diffSummaryLimit} characters]`
            : patch;
        return {
          content: `Edited ${target.relative}:\n${shown}`,
          data: { path: target.relative, changed: true, diff: patch },
        };
      });
    },
  });
}

/** The current text of a file through a file system, refusing a directory as the disk path does. */
async function readThroughFileSystem(options: {
  fileSystem: WorkspaceFileSystem;
  absolutePath: string;
  filePath: string;
  signal: AbortSignal;
}): Promise<DecodedText> {
  if ((await stat(options.absolutePath)).isDirectory()) {
    throw new UserError({
      code: 'is_a_directory',
      message: `'${options.filePath}' is a directory; give the path of a file.`,
    });
  }
  const text = await options.fileSystem.readTextFile({
    absolutePath: options.absolutePath,
    signal: options.signal,
  });
  return { text, encoding: 'utf-8', bom: false };
}
