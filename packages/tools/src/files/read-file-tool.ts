import { stat } from 'node:fs/promises';
import { UserError } from '@herd/core';
import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { type DecodedText, decodeText, detectLineEnding, looksBinary } from './decode-text.js';
import { formatByteSize } from './format-byte-size.js';
import { missingPathError } from './missing-path-error.js';
import { showPath } from './show-path.js';
import type { WorkspaceFileSystem } from './workspace-file-system.js';

/** Options for {@link createReadFileTool}. */
export interface ReadFileToolOptions {
  /** The workspace jail. */
  jail: WorkspaceJail;
  /** Largest number of bytes returned in one call. Default 1 MB. */
  limitBytes?: number;
  /** Where text is read once the jail accepted the path (an editor's buffers); default the disk. */
  fileSystem?: WorkspaceFileSystem;
}

const ReadFileInputSchema = z.object({
  path: z.string().describe('File path relative to the workspace root, e.g. "src/index.ts".'),
  startLine: z.number().int().min(1).optional().describe('First line to return (1-based). Default 1.'),
  endLine: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Last line to return (inclusive). Default: end of file.'),
});

/** Structured output of `read_file`. */
export interface ReadFileData {
  path: string;
  bytes: number;
  /** True for binary files, whose content is not returned. */
  binary: boolean;
  startLine: number;
  endLine: number;
  totalLines: number | undefined;
  truncated: boolean;
  encoding: 'utf-8' | 'latin-1';
  lineEnding: 'crlf' | 'lf';
}

const chunkSize = 65_536;
/** Never buffer more than this much of one file, whatever line range is asked for. */
const hardLimitBytes = 64 * 1024 * 1024;

/**
 * Creates `read_file`: reads a text file (optionally a line range) through the jail, with a size cap, binary
 * detection, Latin-1 fallback for non-UTF-8 bytes, and clear errors for directories and missing files.
 */
export function createReadFileTool(options: ReadFileToolOptions) {
  const { jail, limitBytes = 1_000_000, fileSystem } = options;
  return defineTool<typeof ReadFileInputSchema, ReadFileData>({
    name: 'read_file',
    description:
      'Read a text file in the workspace. Returns its content exactly as stored (no line numbers). Use startLine/endLine for part of a large file.',
    input: ReadFileInputSchema,
    access: 'read',
    examples: [{ path: 'README.md' }, { path: 'src/index.ts', startLine: 1, endLine: 80 }],
    async run({ path: filePath, startLine = 1, endLine }, { signal }) {
      if (endLine !== undefined && endLine < startLine) {
        throw new UserError({
          code: 'invalid_line_range',
          message: `endLine ${endLine} is before startLine ${startLine}; pass endLine >= startLine.`,
        });
      }
      if (fileSystem) {
        const resolved = await jail.resolve({ path: filePath, intent: 'read' });
        if (!resolved.exists) throw missingPathError(filePath);
        if ((await stat(resolved.absolute)).isDirectory()) throw directoryError(filePath);
        const text = await fileSystem.readTextFile({ absolutePath: resolved.absolute, signal });
        const bytes = Buffer.byteLength(text);
        if (text.slice(0, 8192).includes('\0')) return binaryResult({ relative: resolved.relative, bytes });
        return presentLines({
          decoded: { text: text.startsWith('\uFEFF') ? text.slice(1) : text, encoding: 'utf-8', bom: false },
          readAll: true,
          bytes,
          relative: resolved.relative,
          filePath,
          startLine,
          endLine,
          limitBytes,
        });
      }
      const opened = await jail.openForRead(filePath).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw missingPathError(filePath);
        throw error;
      });
      const { handle, resolved, stats } = opened;
      try {
        if (stats.isDirectory()) throw directoryError(filePath);
        const buffer = Buffer.alloc(chunkSize);
        const first = await handle.read(buffer, 0, chunkSize, 0);
        if (looksBinary(buffer.subarray(0, first.bytesRead)))
          return binaryResult({ relative: resolved.relative, bytes: stats.size });
        // Read whole chunks until the requested lines are in and the byte budget allows, never the whole of a huge file.
        const chunks: Buffer[] = [Buffer.from(buffer.subarray(0, first.bytesRead))];
        let position = first.bytesRead;
        let newlines = chunks[0]!.filter((byte) => byte === 10).length;
        const wantedLines = endLine ?? Number.POSITIVE_INFINITY;
        let collected = first.bytesRead;
        const enoughBytes = () => collected >= limitBytes + chunkSize && newlines >= startLine;
        while (
          position < stats.size &&
          newlines < wantedLines &&
          !enoughBytes() &&
          position < hardLimitBytes
        ) {
          if (signal.aborted) break;
          const next = Buffer.alloc(chunkSize);
          const { bytesRead } = await handle.read(next, 0, chunkSize, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          const slice = next.subarray(0, bytesRead);
          newlines += slice.filter((byte) => byte === 10).length;
          chunks.push(slice);
          collected += bytesRead;
        }
        const readAll = position >= stats.size;
        if (!readAll && position >= hardLimitBytes && startLine > newlines) {
          // The lines asked for lie past what read_file ever reads: say so, rather than count what was read.
          throw new UserError({
            code: 'line_out_of_reach',
            message: `'${filePath}' is ${formatByteSize(stats.size)}; read_file reads only its first ${formatByteSize(hardLimitBytes)}, which hold ${newlines} lines, so startLine ${startLine} is out of reach. Use search to find the lines, or run_command (for example sed -n '${startLine},${startLine + 99}p').`,
          });
        }
        return presentLines({
          decoded: decodeText(Buffer.concat(chunks)),
          readAll,
          bytes: stats.size,
          relative: resolved.relative,
          filePath,
          startLine,
          endLine,
          limitBytes,
        });
      } finally {
        await handle.close();
      }
    },
  });
}

const directoryError = (filePath: string) =>
  new UserError({
    code: 'is_a_directory',
    message: `'${filePath}' is a directory, not a file; call list_files with this path to see what it contains.`,
  });

const binaryResult = (options: { relative: string; bytes: number }) => ({
  content: `'${showPath(options.relative)}' is a binary file (${options.bytes} bytes); its content is not shown.`,
  data: {
    path: options.relative,
    bytes: options.bytes,
    binary: true,
    startLine: 0,
    endLine: 0,
    totalLines: undefined,
    truncated: true,
    encoding: 'utf-8' as const,
    lineEnding: 'lf' as const,
  } satisfies ReadFileData,
});

/** The requested lines of decoded text within the byte budget, with notes on what was left out. */
function presentLines(options: {
  decoded: DecodedText;
  /** False when only the start of the file was read. */
  readAll: boolean;
  bytes: number;
  relative: string;
  filePath: string;
  startLine: number;
  endLine: number | undefined;
  limitBytes: number;
}): { content: string; data: ReadFileData } {
  const { decoded, readAll, bytes, relative, filePath, startLine, endLine, limitBytes } = options;
  const lines = decoded.text.split('\n');
  if (!readAll) lines.pop();
  const totalLines = readAll ? (decoded.text.endsWith('\n') ? lines.length - 1 : lines.length) : undefined;
  const fileLines = totalLines ?? lines.length;
  const lastWanted = Math.min(endLine ?? fileLines, fileLines);
  if (
    startLine > Math.max(lines.length, 1) ||
    (totalLines !== undefined && startLine > Math.max(totalLines, 1))
  ) {
    throw new UserError({
      code: 'invalid_line_range',
      message: `'${filePath}' has ${totalLines ?? lines.length} lines, so startLine ${startLine} is past the end; pass a smaller startLine.`,
    });
  }
  let text = '';
  let lastLine = startLine - 1;
  for (let index = startLine - 1; index < lastWanted; index += 1) {
    const line = lines[index]!;
    const piece = index < lines.length - 1 || !readAll ? `${line}\n` : line;
    if (text.length + piece.length > limitBytes && lastLine >= startLine) break;
    text += piece.length > limitBytes ? piece.slice(0, limitBytes) : piece;
    lastLine = index + 1;
  }
  const truncated = lastLine < lastWanted || (!readAll && lastLine < (endLine ?? Number.POSITIVE_INFINITY));
  const notes: string[] = [];
  if (truncated) {
    notes.push(
      `[showing lines ${startLine}-${lastLine}${totalLines ? ` of ${totalLines}` : ''} (${bytes} bytes); call read_file with startLine=${lastLine + 1} to read on]`,
    );
  } else if (startLine > 1 || lastLine < fileLines)
    notes.push(`[lines ${startLine}-${lastLine} of ${fileLines}]`);
  if (decoded.encoding === 'latin-1') notes.push('[the file is not valid UTF-8; it was decoded as Latin-1]');
  const data: ReadFileData = {
    path: relative,
    bytes: bytes,
    binary: false,
    startLine,
    endLine: lastLine,
    totalLines,
    truncated,
    encoding: decoded.encoding,
    lineEnding: detectLineEnding(text) === '\r\n' ? 'crlf' : 'lf',
  };
  return {
    content: notes.length > 0 ? `${text}${text.endsWith('\n') ? '' : '\n'}${notes.join('\n')}` : text,
    data,
  };
}
