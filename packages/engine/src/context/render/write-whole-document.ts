import { ftruncateSync, writeSync } from 'node:fs';
import type { ContentLocation, ContentStore } from '../cache/content-store.js';
import { documentHead, documentTail, fileCloseTag, fileOpenTag } from './render-packed-document.js';

/** A file as the whole document shows it: its content is in the content store. */
export interface WholeFile {
  /** Path relative to the root. */
  path: string;
  /** Size on disk in bytes. */
  bytes: number;
  /** Token count of the content. */
  tokens: number;
  /** Whether `tokens` is exact. */
  exact: boolean;
  /** Where the content is, and whether it is empty or ends a line. */
  entry: ContentLocation & { endsLine?: boolean };
}

/** What a whole document is made of, besides its files' content. */
export interface WholeDocumentOptions {
  /** The tag suffix. */
  fence: string;
  /** Name of the root directory. */
  rootName: string;
  /** The directory tree. */
  outline: string;
  /** Every included file, in order. */
  files: readonly WholeFile[];
}

/** Everything in the whole document except file contents, for counting its tokens. */
export function wholeDocumentOverhead(options: WholeDocumentOptions): string {
  const { fence, files } = options;
  const parts = [documentHead(headOptions(options))];
  for (const file of files) {
    parts.push(fileOpenTag({ fence, file }), fileCloseTag({ fence, endsLine: file.entry.endsLine ?? true }));
  }
  parts.push(documentTail(fence));
  return parts.join('');
}

/**
 * Writes the whole document to `fd` (from its start), copying each file's content from the store as the bytes it
 * is stored as: nothing is decoded, encoded or held beyond a block. Returns `false`, having stopped, when the tree
 * or a file's content contains the fence (pick another with `chooseFence` and write again).
 */
export function writeWholeDocument(
  options: WholeDocumentOptions & { fd: number; store: ContentStore },
): boolean {
  const { fence, files, store } = options;
  const fenceBytes = Buffer.from(fence);
  if (options.outline.includes(fence)) return false;
  ftruncateSync(options.fd, 0);
  const out = createBlockWriter(options.fd);
  out.write(documentHead(headOptions(options)));
  for (const file of files) {
    const content = store.bytes(file.entry);
    if (content.includes(fenceBytes)) return false;
    out.write(fileOpenTag({ fence, file }));
    out.write(content);
    out.write(fileCloseTag({ fence, endsLine: file.entry.endsLine ?? true }));
  }
  out.write(documentTail(fence));
  out.end();
  return true;
}

function headOptions(options: WholeDocumentOptions) {
  return {
    fence: options.fence,
    rootName: options.rootName,
    mode: 'whole' as const,
    includedFiles: options.files.length,
    shown: options.files.length,
    outline: options.outline,
  };
}

// Output is written a block at a time.
const blockBytes = 1024 * 1024;

/** Writes text and bytes to a file a block at a time, from position 0. */
function createBlockWriter(fd: number): { write(part: string | Uint8Array): void; end(): void } {
  const block = Buffer.allocUnsafe(blockBytes);
  let used = 0;
  let position = 0;
  const writeAll = (bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
    position += bytes.length;
  };
  const flush = () => {
    if (used === 0) return;
    writeAll(block.subarray(0, used));
    used = 0;
  };
  return {
    write(part) {
      const length = typeof part === 'string' ? Buffer.byteLength(part) : part.length;
      if (used + length > blockBytes) flush();
      if (length > blockBytes) {
        writeAll(typeof part === 'string' ? Buffer.from(part) : part);
        return;
      }
      if (typeof part === 'string') block.write(part, used, 'utf8');
      else block.set(part, used);
      used += length;
    },
    end: flush,
  };
}
