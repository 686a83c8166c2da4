import { randomBytes } from 'node:crypto';
import { ftruncateSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packCacheDirectory } from './cache/pack-cache.js';

/** Where a document is being written. */
export interface DocumentOutput {
  /** The open file. */
  fd: number;
  /** Its path. */
  path: string;
}

/**
 * Opens the file the document is written to: the kept result's new file when the result is kept, else the place
 * the caller asked for, else a temporary file in the cache (or the system's temporary directory without one).
 */
export function openDocumentOutput(options: {
  root: string;
  cached: boolean;
  kept: string | undefined;
  path: string | undefined;
}): DocumentOutput {
  if (options.kept) return { fd: openSync(options.kept, 'w+'), path: options.kept };
  if (options.path) return { fd: openSync(options.path, 'w+'), path: options.path };
  const name = `packed-document-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  if (options.cached) {
    const path = join(packCacheDirectory(options.root), name);
    return { fd: openSync(path, 'w+'), path };
  }
  // A private file in a shared directory: created new, readable by this user only.
  const path = join(tmpdir(), name);
  return { fd: openSync(path, 'wx+', 0o600), path };
}

/** Writes a document held as text (a map) to the start of a file, replacing what was there. */
export function writeText(fd: number, text: string): void {
  ftruncateSync(fd, 0);
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
}
