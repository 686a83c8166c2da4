import type { FileHandle } from 'node:fs/promises';

/** What {@link readAtMost} read. */
export interface BoundedRead {
  /** The bytes read from the start of the file, at most the limit. */
  bytes: Buffer;
  /** True when the file ended within the limit; false when there was more. */
  complete: boolean;
}

const chunkBytes = 262_144;

/**
 * Reads a file from its start until its end or `limit` bytes, whichever comes first, whatever its size said when
 * it was measured: a file that another process keeps appending to (or extends to a huge sparse size) after the
 * size check is never read past the limit. One byte more is read to tell a file of exactly `limit` bytes from a
 * longer one.
 */
export async function readAtMost(handle: FileHandle, limit: number): Promise<BoundedRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= limit) {
    const chunk = Buffer.alloc(Math.min(chunkBytes, limit + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) return { bytes: Buffer.concat(chunks, total), complete: true };
    chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return { bytes: Buffer.concat(chunks, total).subarray(0, limit), complete: false };
}
