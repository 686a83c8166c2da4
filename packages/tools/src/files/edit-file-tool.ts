import { stat } from 'node:fs/promises';
import { UserError } from '@herd/core';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { z } from 'zod';
import { defineTool } from '../tool/define-tool.js';
import { applySearchReplace, type SearchReplaceEdit } from './apply-search-replace.js';
import { type DecodedText, decodeText, detectLineEnding, encodeText } from './decode-text.js';
import { withFileLock } from './file-lock.js';
import { formatByteSize } from './format-byte-size.js';
import { missingPathError } from './missing-path-error.js';
import { readAtMost } from './read-at-most.js';
import { showPath } from './show-path.js';
import type { WorkspaceFileSystem } from './workspace-file-system.js';
import { writeFileAtomically } from './write-file-atomically.js';
import { type FileWriteToolOptions, withLineEnding } from './write-file-tool.js';
import { isADirectoryError, openCurrentFile, type WriteTarget, withWriteTarget } from './write-target.js';

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

/** Files larger than this are not edited: the whole text is held (twice) while edits and the diff are made. */
export const defaultEditLimitBytes = 16 * 1024 * 1024;

/**
 * Creates `edit_file`: exact search/replace blocks (zero or several matches is an error that shows the closest
 * candidates or the matching lines) or one unified diff, applied atomically with line endings, mode and BOM kept.
 * Concurrent edits of one file are applied one after the other. Files above `editLimitBytes` (default 16 MiB)
 * are refused with an error naming the limit. With a `fileSystem`, the jail still decides, the current text
 * (unsaved changes included) comes from it and the edited text goes back to it.
 */
export function createEditFileTool(options: FileWriteToolOptions & { editLimitBytes?: number }) {
  const { jail, fileSystem, editLimitBytes = defaultEditLimitBytes } = options;
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
      const change = { relative: target.relative, filePath, edits, diff };
      return withFileLock(target.absolute, async () => {
        if (fileSystem) {
          const absolutePath = target.absolute;
          const decoded = await readThroughFileSystem({
            fileSystem,
            absolutePath,
            filePath,
            signal,
            editLimitBytes,
          });
          return applyEdit({
            ...change,
            decoded,
            save: (text) => fileSystem.writeTextFile({ absolutePath, content: text, signal }),
          });
        }
        return withWriteTarget({ jail, target, shownPath: filePath, create: false }, async (file) => {
          const decoded = decodeText(await readWholeFile({ target: file, filePath, editLimitBytes }));
          return applyEdit({
            ...change,
            decoded,
            save: (text) => {
              const bytes = encodeText({ text, like: decoded, path: filePath });
              return writeFileAtomically({ jail, target: file, bytes });
            },
          });
        });
      });
    },
  });
}

/** Applies the edits or the diff to the current text and saves the result with the file's line ending. */
async function applyEdit(options: {
  relative: string;
  filePath: string;
  edits: SearchReplaceEdit[] | undefined;
  diff: string | undefined;
  decoded: DecodedText;
  save: (text: string) => Promise<void>;
}) {
  const { relative, filePath, edits, diff, decoded, save } = options;
  const lineEnding = detectLineEnding(decoded.text);
  const before = decoded.text.replaceAll('\r\n', '\n');
  const after = edits
    ? applySearchReplace({ text: before, edits, path: filePath })
    : applyUnifiedDiff(before, diff!, filePath);
  const shownPath = showPath(relative);
  if (after === before) {
    return {
      content: `No change: the edit leaves ${shownPath} as it was.`,
      data: { path: relative, changed: false, diff: '' },
    };
  }
  await save(withLineEnding(after, lineEnding));
  const patch = createTwoFilesPatch(`a/${relative}`, `b/${relative}`, before, after, '', '', { context: 2 });
  const shown =
    patch.length > diffSummaryLimit
      ? `${patch.slice(0, diffSummaryLimit)}\n[diff cut at ${diffSummaryLimit} characters]`
      : patch;
  return {
    content: `Edited ${shownPath}:\n${shown}`,
    data: { path: relative, changed: true, diff: patch },
  };
}

/** The error for a file too large to edit, naming the limit and what to do instead. */
const tooLargeToEdit = (filePath: string, size: number, limit: number) =>
  new UserError({
    code: 'file_too_large',
    message: `'${filePath}' is ${formatByteSize(size)}, more than edit_file changes (${formatByteSize(limit)} at most); change it with run_command (for example sed, or a short script) instead.`,
  });

/** The whole current content of a write target, refusing a file above the edit limit before reading it. */
async function readWholeFile(options: {
  target: WriteTarget;
  filePath: string;
  editLimitBytes: number;
}): Promise<Buffer> {
  const { target, filePath, editLimitBytes } = options;
  const opened = await openCurrentFile(target);
  if (!opened) throw missingPathError(filePath);
  try {
    if (opened.stats.size > editLimitBytes) throw tooLargeToEdit(filePath, opened.stats.size, editLimitBytes);
    // The file may grow after it was measured (a command appending to it): never read past the limit.
    const { bytes, complete } = await readAtMost(opened.handle, editLimitBytes);
    if (!complete) {
      const size = Math.max((await opened.handle.stat()).size, editLimitBytes + 1);
      throw tooLargeToEdit(filePath, size, editLimitBytes);
    }
    return bytes;
  } finally {
    await opened.handle.close();
  }
}

/** The current text of a file through a file system, refusing a directory as the disk path does. */
async function readThroughFileSystem(options: {
  fileSystem: WorkspaceFileSystem;
  absolutePath: string;
  filePath: string;
  signal: AbortSignal;
  editLimitBytes: number;
}): Promise<DecodedText> {
  const stats = await stat(options.absolutePath);
  if (stats.isDirectory()) throw isADirectoryError(options.filePath);
  if (stats.size > options.editLimitBytes)
    throw tooLargeToEdit(options.filePath, stats.size, options.editLimitBytes);
  const text = await options.fileSystem.readTextFile({
    absolutePath: options.absolutePath,
    signal: options.signal,
  });
  return { text, encoding: 'utf-8', bom: false };
}
