import { constants } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** A file opened, looked at and read ahead on a worker thread. */
export interface PrefetchedFile {
  /** The error code when the file could not be opened (`ELOOP` for a symbolic link). */
  openCode?: string;
  /** The error code when the open file could not be looked at. */
  statCode?: string;
  /** The error code when the file could not be read. */
  readCode?: string;
  /** What the path names, once opened. */
  kind?: 'file' | 'directory' | 'other';
  /** Size in bytes before reading. */
  size?: number;
  /** Modification time in milliseconds before reading. */
  mtimeMs?: number;
  /** The bytes, for a file no larger than the limit. */
  bytes?: Buffer;
  /** Size and time after reading, when the size read differs from the size before (the file changed). */
  changed?: { size: number; mtimeMs: number };
}

/** Files being read ahead, in order. */
export interface FilePrefetcher {
  /** The `index`th file of the list; `undefined` when the worker failed (read it on the calling thread then). */
  get(index: number): Promise<PrefetchedFile | undefined>;
  /** Stops the worker. */
  close(): Promise<void>;
}

// The worker reads at most this many kilobytes ahead of what the calling thread has taken, so that a slow caller
// does not end up holding the whole repository in messages.
const aheadKilobytes = 16 * 1024;

// Plain CommonJS evaluated in the worker: open without following links (non-blocking, so a named pipe does not
// wait for a writer) and fstat up to a batch of files, then read each straight into its place in one buffer for
// the batch, close them, and transfer the buffer with the batch's results. No buffer per file to allocate, copy
// and collect, and no second fstat (readFileSync makes its own to learn the size).
// - Each read asks for one byte more than fstat gave (it lands on the next file's place, read over in its turn; the
//   buffer has one byte to spare at its end): a file that grew since, or that reports no size but has content (a
//   special file system), is read to its end. One that reads shorter, or longer, has changed.
// - A file too large for one buffer (2 GiB) is not read, as readFileSync would refuse it.
// - Out of file descriptors with files of the batch open, the batch stops there and the file is opened again in
//   the next one.
// taken[0] counts the kilobytes (rounded up per file) the calling thread has taken.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { paths, maxFileBytes, flags, taken, aheadKilobytes } = workerData;
const largestRead = 2147483647;
let sent = 0;
const look = (raw) => {
  const path = typeof raw === 'string' ? raw : Buffer.from(raw);
  const entry = {};
  let descriptor;
  try {
    descriptor = fs.openSync(path, flags);
  } catch (error) {
    entry.openCode = error.code || 'EIO';
    return { entry };
  }
  try {
    const stats = fs.fstatSync(descriptor);
    entry.size = stats.size;
    entry.mtimeMs = stats.mtimeMs;
    entry.kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    entry.statCode = error.code || 'EIO';
  }
  return { entry, descriptor };
};
const readInto = (looked, view, offset) => {
  const { entry, descriptor } = looked;
  const size = entry.size;
  let length = 0;
  for (;;) {
    const wanted = size + 1 - length;
    const count = fs.readSync(descriptor, view, offset + length, wanted, null);
    length += count;
    // A regular file reads short only at its end.
    if (count < wanted || length > size) break;
  }
  if (length > size) {
    looked.extra = Buffer.concat([view.subarray(offset, offset + length), fs.readFileSync(descriptor)]);
    length = looked.extra.length;
  }
  if (length !== size) {
    const again = fs.fstatSync(descriptor);
    entry.changed = { size: again.size, mtimeMs: again.mtimeMs };
  }
  return length;
};
let next = 0;
while (next < paths.length) {
  for (;;) {
    const done = Atomics.load(taken, 0);
    if (sent - done <= aheadKilobytes) break;
    Atomics.wait(taken, 0, done, 1000);
  }
  const looked = [];
  let planned = 0;
  while (next < paths.length && looked.length < 64 && planned < 1048576) {
    const one = look(paths[next]);
    const code = one.entry.openCode;
    if ((code === 'EMFILE' || code === 'ENFILE') && looked.length > 0) break;
    next++;
    if (one.entry.kind === 'file' && one.entry.size <= maxFileBytes) {
      if (one.entry.size > largestRead) {
        one.entry.readCode = 'ERR_FS_FILE_TOO_LARGE';
      } else {
        one.read = true;
        planned += one.entry.size;
      }
    }
    looked.push(one);
  }
  const buffer = Buffer.allocUnsafeSlow(planned + 1);
  let offset = 0;
  const extras = [];
  for (const one of looked) {
    if (one.read) {
      try {
        const length = readInto(one, buffer, offset);
        if (one.extra) {
          extras.push(one);
        } else {
          one.entry.offset = offset;
          one.entry.length = length;
          sent += Math.ceil(length / 1024);
        }
      } catch (error) {
        one.entry.readCode = error.code || 'EIO';
      }
      offset += one.entry.size;
    }
    if (one.descriptor !== undefined) fs.closeSync(one.descriptor);
  }
  let transfer = buffer.buffer;
  if (extras.length > 0) {
    // Files read past the size fstat gave go after the rest, in a buffer made for them all.
    const more = extras.reduce((sum, one) => sum + one.extra.length, 0);
    const joined = Buffer.allocUnsafeSlow(planned + more);
    buffer.copy(joined, 0, 0, planned);
    let at = planned;
    for (const one of extras) {
      one.extra.copy(joined, at);
      one.entry.offset = at;
      one.entry.length = one.extra.length;
      at += one.extra.length;
      sent += Math.ceil(one.extra.length / 1024);
    }
    transfer = joined.buffer;
  }
  parentPort.postMessage({ results: looked.map((one) => one.entry), buffer: transfer }, [transfer]);
}
`;

/**
 * Reads `paths` ahead on a worker thread, in order, so that the calling thread only hashes, decodes and inspects
 * what was read. Files larger than `maxFileBytes` are looked at but not read.
 */
export function prefetchFiles(options: {
  paths: readonly (string | Buffer)[];
  maxFileBytes: number;
}): FilePrefetcher {
  // Results not yet taken, by index; a taken result is dropped, so its bytes can be collected.
  const results = new Map<number, PrefetchedFile>();
  let received = 0;
  const waiting = new Map<number, (file: PrefetchedFile | undefined) => void>();
  let failed = false;
  const taken = new Int32Array(new SharedArrayBuffer(4));
  const take = (file: PrefetchedFile | undefined) => {
    if (file?.bytes) {
      Atomics.add(taken, 0, Math.ceil(file.bytes.length / 1024));
      Atomics.notify(taken, 0);
    }
    return file;
  };
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      paths: options.paths,
      maxFileBytes: options.maxFileBytes,
      flags: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | constants.O_NONBLOCK,
      taken,
      aheadKilobytes,
    },
  });
  type Message = { results: (PrefetchedFile & { offset?: number; length?: number })[]; buffer: ArrayBuffer };
  worker.on('message', ({ results: batch, buffer }: Message) => {
    for (const { offset, length, ...file } of batch) {
      if (offset !== undefined && length !== undefined) file.bytes = Buffer.from(buffer, offset, length);
      const index = received++;
      const waiter = waiting.get(index);
      if (waiter) {
        waiting.delete(index);
        waiter(take(file));
      } else results.set(index, file);
    }
  });
  worker.on('error', () => {
    failed = true;
    for (const resolve of waiting.values()) resolve(undefined);
    waiting.clear();
  });
  return {
    get(index) {
      if (index < received) {
        const file = results.get(index);
        results.delete(index);
        return Promise.resolve(take(file));
      }
      if (failed) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.set(index, resolve));
    },
    async close() {
      await worker.terminate();
    },
  };
}
