import { once } from 'node:events';
import { closeSync, createReadStream, openSync, readSync, rmSync, writeSync } from 'node:fs';
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
 * remove on close.
 */
export function openedDocument(options: {
  fd: number;
  size: number;
  path?: string | undefined;
  temporary?: string | undefined;
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
