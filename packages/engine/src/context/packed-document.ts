import { once } from 'node:events';
import {
  closeSync,
  constants,
  copyFileSync,
  createReadStream,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { resolve } from 'node:path';

/**
 * A packed document on disk, as UTF-8: a kept result, or one just written. It is read, copied or streamed from
 * an open descriptor, so a concurrent pack that replaces the kept file does not change what this one hands out.
 */
export interface PackedDocument {
  /** Its size in bytes. */
  readonly size: number;
  /** The document as a string. */
  text(): string;
  /** Writes the document to `path` (created or replaced in place); nothing to do when it is already there. */
  copyTo(path: string): void;
  /** Writes the document to a stream, waiting for it to drain; the stream is left open. */
  pipeTo(stream: NodeJS.WritableStream): Promise<void>;
  /** Closes the document, and removes its file when it was only a temporary one. */
  close(): void;
}

// Copies go a block at a time.
const blockBytes = 4 * 1024 * 1024;

/**
 * Wraps an open document. `path` is where it lies (so that copying it there is a no-op), `temporary` a file to
 * remove on close, `source` a file that holds the same bytes and is never written again (a kept document, whose
 * name is its own), which the system can copy without passing the bytes through this process.
 */
export function openedDocument(options: {
  fd: number;
  size: number;
  path?: string | undefined;
  temporary?: string | undefined;
  source?: string | undefined;
}): PackedDocument {
  const { fd, size } = options;
  let closed = false;
  return {
    size,
    text() {
      const bytes = Buffer.allocUnsafe(size);
      let done = 0;
      while (done < size) {
        const read = readSync(fd, bytes, done, size - done, done);
        if (read === 0) throw new Error('the packed document was cut short while it was read');
        done += read;
      }
      return bytes.toString('utf8');
    },
    copyTo(path) {
      if (options.path !== undefined && resolve(path) === resolve(options.path)) return;
      if (options.source !== undefined && copySource(options.source, path, size)) return;
      const out = openSync(path, 'w');
      try {
        const block = Buffer.allocUnsafe(Math.min(blockBytes, Math.max(1, size)));
        for (let at = 0; at < size; ) {
          const read = readSync(fd, block, 0, Math.min(block.length, size - at), at);
          if (read === 0) throw new Error('the packed document was cut short while it was copied');
          for (let written = 0; written < read; )
            written += writeSync(out, block, written, read - written, at + written);
          at += read;
        }
      } finally {
        closeSync(out);
      }
    },
    async pipeTo(stream) {
      if (size === 0) return;
      const input = createReadStream('', { fd, start: 0, end: size - 1, autoClose: false });
      for await (const chunk of input) {
        if (!stream.write(chunk as Buffer)) await once(stream, 'drain');
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
      if (options.temporary) rmSync(options.temporary, { force: true });
    },
  };
}

/**
 * Copies a kept document by its name (a clone or an in-kernel copy where the file system offers one); false when
 * that fails (a newer pack removed the file meanwhile) or the copy is not the size opened, so the caller copies
 * from its descriptor instead.
 */
function copySource(source: string, path: string, size: number): boolean {
  try {
    copyFileSync(source, path, constants.COPYFILE_FICLONE);
    return statSync(path).size === size;
  } catch {
    return false;
  }
}
