import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where one file's packed content lies in a content store, in bytes of UTF-8. */
export interface ContentLocation {
  /** Where the content starts. */
  offset?: number;
  /** Its length. */
  length?: number;
}

/**
 * The packed content of every included file, on disk rather than in memory: a pack holds one file's text at a
 * time, so its memory grows with the number of files, not with their size. Content is stored as the UTF-8 the
 * document is made of, so rendering copies bytes without decoding or encoding them.
 *
 * A store starts from the content file a previous pack kept (read through a descriptor opened when the cache was
 * loaded, so a concurrent pack replacing that file does not disturb this one). The first {@link put} copies it to
 * a new file and appends there, so locations into the old file stay valid; {@link finish} hands the new file
 * over (compacted when most of it is content nothing points to any more).
 */
export interface ContentStore {
  /** Whether the location lies inside the store (a cache entry from another store does not). */
  holds(location: ContentLocation): boolean;
  /**
   * The content's bytes. The buffer may be a view of a block read ahead and is valid until the next read of the
   * store; copy it to keep it.
   */
  bytes(location: ContentLocation): Buffer;
  /** The content as text. */
  text(location: ContentLocation): string;
  /** Stores content (text or its UTF-8 bytes) and points the location at it. */
  put(location: ContentLocation, content: string | Uint8Array): void;
  /**
   * Writes out what was put and returns the file holding the new store (a temporary file for the caller to rename
   * into place), or `undefined` when nothing was put. `live` are the locations still in use: when they cover less
   * than half of the file, it is rewritten with only them, and they are moved.
   */
  finish(live: Iterable<ContentLocation>): string | undefined;
  /** Closes the store's files and removes a new file that was not handed over. */
  close(): void;
}

// Writes are gathered into blocks of this size; reads fetch at least this much, so that reading files in the order
// they were stored (rendering, counting) costs one system call per block instead of one per file.
const blockBytes = 1024 * 1024;

/**
 * Opens a content store. `existing` is a descriptor of a kept content file (owned by the store from now on);
 * `temporary` the path a new file is written at, or `undefined` for a private file in the system's temporary
 * directory (a pack without a cache).
 */
export function openContentStore(options: { existing?: number; temporary?: string }): ContentStore {
  let source = options.existing;
  let sourceSize = source === undefined ? 0 : fstatSync(source).size;
  let target: { fd: number; path: string } | undefined;
  let handedOver = false;
  // Bytes put but not yet written, at the end of the target.
  const pending = Buffer.allocUnsafe(blockBytes);
  let pendingLength = 0;
  let written = 0;
  // The block last read ahead, and where the last read ended.
  let block: { start: number; bytes: Buffer } | undefined;
  let lastEnd = 0;

  const flush = () => {
    if (!target || pendingLength === 0) return;
    writeAll(target.fd, pending.subarray(0, pendingLength), written);
    written += pendingLength;
    pendingLength = 0;
  };
  const start = () => {
    if (target) return target;
    const path =
      options.temporary ?? join(tmpdir(), `herd-pack-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    // A private file in a shared temporary directory must be new; the cache's own temporary may be left over.
    const fd = openSync(path, options.temporary ? 'w+' : 'wx+', options.temporary ? 0o666 : 0o600);
    target = { fd, path };
    if (source !== undefined) {
      copyRange({ from: source, to: fd, start: 0, length: sourceSize, at: 0 });
      written = sourceSize;
      closeSync(source);
      source = undefined;
    }
    block = undefined;
    return target;
  };
  const size = () => (target ? written + pendingLength : sourceSize);
  const read = (offset: number, length: number): Buffer => {
    if (target && offset + length > written) flush();
    if (block && offset >= block.start && offset + length <= block.start + block.bytes.length) {
      lastEnd = offset + length;
      return block.bytes.subarray(offset - block.start, offset - block.start + length);
    }
    const fd = target ? target.fd : source;
    if (fd === undefined) throw new Error('the content store holds nothing at that place');
    // Read ahead only when reading on from where the last read ended (rendering, in store order); a scattered
    // read (a counting sample) takes just what it asks for.
    const sequential = offset === lastEnd;
    lastEnd = offset + length;
    const wanted = sequential ? Math.min(Math.max(length, blockBytes), size() - offset) : length;
    const bytes = readAll(fd, wanted, offset);
    if (bytes.length < length) throw new Error('the content store was cut short');
    if (sequential) block = { start: offset, bytes };
    return bytes.subarray(0, length);
  };
  return {
    holds(location) {
      const { offset, length } = location;
      return offset !== undefined && length !== undefined && offset >= 0 && offset + length <= size();
    },
    bytes(location) {
      return read(location.offset!, location.length!);
    },
    text(location) {
      return read(location.offset!, location.length!).toString('utf8');
    },
    put(location, content) {
      const { fd } = start();
      const length = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
      location.offset = written + pendingLength;
      location.length = length;
      if (pendingLength + length > blockBytes) flush();
      if (length > blockBytes) {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        writeAll(fd, bytes, written);
        written += length;
        return;
      }
      if (typeof content === 'string') pending.write(content, pendingLength, 'utf8');
      else pending.set(content, pendingLength);
      pendingLength += length;
    },
    finish(live) {
      if (!target) return undefined;
      flush();
      const locations = [...live].filter((location) => location.offset !== undefined);
      const liveBytes = locations.reduce((sum, location) => sum + location.length!, 0);
      if (written > 2 * liveBytes + blockBytes) compact(locations);
      handedOver = true;
      return target.path;
    },
    close() {
      if (source !== undefined) closeSync(source);
      source = undefined;
      if (!target) return;
      closeSync(target.fd);
      if (!handedOver) rmSync(target.path, { force: true });
      target = undefined;
    },
  };

  /** Rewrites the target with only the live locations, in the order they lie, and moves them. */
  function compact(locations: ContentLocation[]): void {
    const old = target!;
    const path = `${old.path.replace(/\.tmp$/, '')}.compact.tmp`;
    const fd = openSync(path, 'w+', 0o666);
    try {
      let at = 0;
      for (const location of locations.sort((left, right) => left.offset! - right.offset!)) {
        copyRange({ from: old.fd, to: fd, start: location.offset!, length: location.length!, at });
        location.offset = at;
        at += location.length!;
      }
      closeSync(old.fd);
      rmSync(old.path, { force: true });
      target = { fd, path };
      written = at;
      sourceSize = 0;
      block = undefined;
    } catch (error) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw error;
    }
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
function readAll(fd: number, length: number, position: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, bytes, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done === length ? bytes : bytes.subarray(0, done);
}

/** Writes all of `bytes` at `position`. */
function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Copies a range of one file into another, a block at a time. */
function copyRange(options: { from: number; to: number; start: number; length: number; at: number }): void {
  const buffer = Buffer.allocUnsafe(Math.min(blockBytes * 4, Math.max(1, options.length)));
  let done = 0;
  while (done < options.length) {
    const want = Math.min(buffer.length, options.length - done);
    const read = readSync(options.from, buffer, 0, want, options.start + done);
    if (read === 0) throw new Error('the content store was cut short');
    writeAll(options.to, buffer.subarray(0, read), options.at + done);
    done += read;
  }
}
