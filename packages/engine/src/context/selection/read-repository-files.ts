import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { estimateO200kTokens } from '@herd/core';
import type { PackCache, PackCacheEntry } from '../cache/pack-cache.js';
import type { PackSelection } from '../pack-options.js';
import type { ExcludedFile, ExclusionReason } from '../pack-stats.js';
import { redactSecrets } from '../secrets/redact-secrets.js';
import { classifyPath } from './classify-path.js';
import { inspectContent, isBinaryByName } from './inspect-content.js';
import { type PrefetchedFile, prefetchFiles } from './prefetch-files.js';
import type { RepositoryFile } from './repository-file.js';

/** A file that passed selection; its packed content is in the cache's content store, where `entry` points. */
export interface IncludedFile {
  /** Path relative to the root. */
  path: string;
  /** Size of the file on disk, in bytes. */
  bytes: number;
  /** The cache entry describing this file (updated when the file was read), with the place of its content. */
  entry: PackCacheEntry;
  /** Whether the content was read from disk in this pack (false when it came from the cache). */
  read: boolean;
}

/** What {@link readRepositoryFiles} found. */
export interface ReadResult {
  /** Files that passed selection, in path order. */
  included: IncludedFile[];
  /** Files left out, with reasons. */
  excluded: ExcludedFile[];
  /** Files changed during the walk and similar problems. */
  warnings: string[];
  /** Cache entries for every file looked at in this pack (excluded ones too). */
  entries: Map<string, PackCacheEntry>;
}

/**
 * Reads the candidate files: leaves out secrets, lockfiles, generated, minified, binary and oversized files,
 * redacts secrets in the rest, and takes unchanged files (same size and modification time) from the cache
 * without opening them. The packed content of each file read goes to the cache's content store as it is read,
 * so only one file's text is held at a time. A file that vanishes or cannot be read becomes an exclusion, never
 * an error.
 */
export async function readRepositoryFiles(options: {
  files: readonly RepositoryFile[];
  cache: PackCache;
  selection: PackSelection;
  onRead?: (done: number) => void;
  /** Read ahead on a worker thread when at least this many files are not in the cache (default 2,000). */
  prefetchAtLeast?: number;
}): Promise<ReadResult> {
  const { cache, selection } = options;
  const result: ReadResult = { included: [], excluded: [], warnings: [], entries: new Map() };
  const exclude = (path: string, reason: ExclusionReason, detail?: string) => {
    result.excluded.push(detail === undefined ? { path, reason } : { path, reason, detail });
  };
  // Files the cache does not know are all read: with many of them, a worker thread reads ahead (the system calls
  // are most of the cost) while this thread hashes, decodes and inspects.
  const verdicts = options.files.map((file) => classifyPath({ path: file.path, selection }));
  const unknown = options.files.filter(
    (file, index) => !verdicts[index] && !isBinaryByName(file.path) && !cache.entries.has(file.path),
  );
  const prefetcher =
    noFollow !== undefined && unknown.length >= (options.prefetchAtLeast ?? prefetchAtLeast)
      ? prefetchFiles({ paths: unknown.map((file) => file.fsPath), maxFileBytes: selection.maxFileBytes })
      : undefined;
  let prefetched = 0;
  try {
    let done = 0;
    for (const [index, file] of options.files.entries()) {
      if (++done % 1000 === 0) {
        options.onRead?.(done);
        // Let progress callbacks and worker messages through.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const verdict = verdicts[index];
      if (verdict) {
        exclude(file.path, verdict.reason, verdict.detail);
        continue;
      }
      if (isBinaryByName(file.path)) {
        exclude(file.path, 'binary', 'extension');
        continue;
      }
      const cached = cache.entries.get(file.path);
      const ahead = prefetcher && !cached ? await prefetcher.get(prefetched++) : undefined;
      if (ahead) {
        acceptPrefetched({ file, ahead, cache, selection, result, exclude });
        continue;
      }
      readFile({ file, cached, cache, selection, result, exclude });
    }
    options.onRead?.(done);
  } finally {
    await prefetcher?.close();
  }
  return result;
}

// Below this many files to read, starting a worker costs more than it saves.
const prefetchAtLeast = 2000;

/** Takes a file read ahead: the same verdicts as reading it here. */
function acceptPrefetched(options: {
  file: RepositoryFile;
  ahead: PrefetchedFile;
  cache: PackCache;
  selection: PackSelection;
  result: ReadResult;
  exclude: (path: string, reason: ExclusionReason, detail?: string) => void;
}): void {
  const { file, ahead, cache, selection, result, exclude } = options;
  if (ahead.openCode !== undefined) {
    exclude(file.path, ...openFailure(ahead.openCode));
    return;
  }
  const { statCode, readCode } = ahead;
  if (statCode !== undefined) {
    exclude(file.path, statCode === 'ENOENT' || statCode === 'ENOTDIR' ? 'vanished' : 'unreadable', statCode);
    return;
  }
  if (ahead.kind !== 'file') {
    exclude(file.path, 'not-a-file', ahead.kind === 'directory' ? 'directory (submodule?)' : 'special file');
    return;
  }
  if (ahead.size! > selection.maxFileBytes) {
    exclude(file.path, 'too-large', `${ahead.size} bytes`);
    return;
  }
  if (readCode !== undefined) {
    exclude(
      file.path,
      readCode === 'ENOENT' ? 'vanished' : readCode === 'EISDIR' ? 'not-a-file' : 'unreadable',
      readCode,
    );
    return;
  }
  if (ahead.changed)
    result.warnings.push(`${file.path} changed while it was being read; the version read is packed.`);
  const mtimeMs = ahead.changed?.mtimeMs ?? ahead.mtimeMs!;
  acceptBytes({ file, bytes: ahead.bytes!, mtimeMs, cached: undefined, cache, selection, result, exclude });
}

/** Looks at and reads one file on this thread, or takes it from the cache when it is unchanged. */
function readFile(options: {
  file: RepositoryFile;
  cached: PackCacheEntry | undefined;
  cache: PackCache;
  selection: PackSelection;
  result: ReadResult;
  exclude: (path: string, reason: ExclusionReason, detail?: string) => void;
}): void {
  const { file, cached, cache, selection, result, exclude } = options;
  // A file the cache knows is looked at (lstat) before it is opened, as it is usually unchanged; any other file
  // is opened straight away without following a symbolic link, which saves a path lookup per file.
  const descriptor = cached || noFollow === undefined ? undefined : openNoFollow(file.fsPath);
  if (typeof descriptor === 'string') {
    exclude(file.path, ...openFailure(descriptor));
    return;
  }
  try {
    let stats: Stats;
    try {
      stats = descriptor === undefined ? lstatSync(file.fsPath) : fstatSync(descriptor);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      exclude(file.path, code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable', code);
      return;
    }
    if (stats.isSymbolicLink()) {
      exclude(file.path, 'not-a-file', 'symbolic link');
      return;
    }
    if (!stats.isFile()) {
      exclude(file.path, 'not-a-file', stats.isDirectory() ? 'directory (submodule?)' : 'special file');
      return;
    }
    if (stats.size > selection.maxFileBytes) {
      exclude(file.path, 'too-large', `${stats.size} bytes`);
      return;
    }
    if (cached && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs) {
      const fromCache = takeFromCache({ path: file.path, entry: cached, cache });
      if (fromCache) {
        result.entries.set(file.path, cached);
        if ('reason' in fromCache) exclude(file.path, fromCache.reason, fromCache.detail);
        else result.included.push(fromCache);
        return;
      }
    }
    readOne({ file, descriptor, stats, cached, cache, selection, result, exclude });
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

// Undefined where the platform has no O_NOFOLLOW (Windows): files are then looked at with lstat first.
const noFollow = constants.O_NOFOLLOW;

/** Opens a file for reading unless it is a symbolic link; the error code when it cannot be opened. */
function openNoFollow(path: string | Buffer): number | string {
  try {
    // Non-blocking, so that opening a named pipe does not wait for a writer.
    return openSync(path, constants.O_RDONLY | (noFollow ?? 0) | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EIO';
  }
}

function openFailure(code: string): [ExclusionReason, string] {
  if (code === 'ELOOP') return ['not-a-file', 'symbolic link'];
  if (code === 'ENOENT' || code === 'ENOTDIR') return ['vanished', code];
  if (code === 'ENXIO') return ['not-a-file', 'special file'];
  return ['unreadable', code];
}

function takeFromCache(options: {
  path: string;
  entry: PackCacheEntry;
  cache: PackCache;
}): IncludedFile | ExcludedFile | undefined {
  const { entry } = options;
  if (entry.exclusion) return { path: options.path, ...entry.exclusion };
  if (!options.cache.store.holds(entry) || entry.endsLine === undefined) return undefined;
  return { path: options.path, bytes: entry.size, entry, read: false };
}

function readOne(options: {
  file: RepositoryFile;
  /** An open descriptor of the file, when it was opened already. */
  descriptor: number | undefined;
  stats: Stats;
  cached: PackCacheEntry | undefined;
  cache: PackCache;
  selection: PackSelection;
  result: ReadResult;
  exclude: (path: string, reason: ExclusionReason, detail?: string) => void;
}): void {
  const { file, selection, result, exclude, cached, cache } = options;
  let stats = options.stats;
  let bytes: Buffer;
  try {
    bytes = readFileSync(options.descriptor ?? file.fsPath);
    if (bytes.length !== stats.size) {
      // The file changed between listing and reading; describe what was actually read.
      stats = options.descriptor === undefined ? lstatSync(file.fsPath) : fstatSync(options.descriptor);
      result.warnings.push(`${file.path} changed while it was being read; the version read is packed.`);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    exclude(
      file.path,
      code === 'ENOENT' ? 'vanished' : code === 'EISDIR' ? 'not-a-file' : 'unreadable',
      code,
    );
    return;
  }
  acceptBytes({ file, bytes, mtimeMs: stats.mtimeMs, cached, cache, selection, result, exclude });
}

/**
 * Packs the bytes read of a file: hashes, decodes and inspects them, redacts secrets, and stores the packed
 * content (the bytes as read when nothing was redacted: no encoding again).
 */
function acceptBytes(options: {
  file: RepositoryFile;
  bytes: Buffer;
  mtimeMs: number;
  cached: PackCacheEntry | undefined;
  cache: PackCache;
  selection: PackSelection;
  result: ReadResult;
  exclude: (path: string, reason: ExclusionReason, detail?: string) => void;
}): void {
  const { file, bytes, selection, result, exclude, cached, cache } = options;
  const hash = createHash('sha1').update(bytes).digest('base64url');
  const inspected = inspectContent({ path: file.path, bytes, selection });
  if ('verdict' in inspected) {
    const excludedEntry: PackCacheEntry = {
      size: bytes.length,
      mtimeMs: options.mtimeMs,
      hash,
      exclusion: inspected.verdict,
    };
    result.entries.set(file.path, excludedEntry);
    exclude(file.path, inspected.verdict.reason, inspected.verdict.detail);
    return;
  }
  const redacted = redactSecrets(inspected.text, file.path);
  // Counts, symbols and verdicts depend only on the content, so a touched but unchanged file keeps them.
  const reusable =
    cached &&
    cached.hash === hash &&
    !cached.exclusion &&
    cached.scannedBy === undefined &&
    cached.symbolsScannedBy === undefined
      ? cached
      : undefined;
  const { text } = redacted;
  // Written out field by field: an object spread would give every entry a hidden class of its own, which at a
  // hundred thousand files costs tens of megabytes.
  const entry: PackCacheEntry = {
    size: bytes.length,
    mtimeMs: options.mtimeMs,
    hash,
    endsLine: text.length === 0 || text.charCodeAt(text.length - 1) === 10,
    // Estimated here rather than after reading: with a worker reading ahead, this thread would otherwise wait.
    estimate: reusable?.estimate ?? estimateO200kTokens(text),
  };
  if (redacted.findings.length > 0) entry.findings = redacted.findings;
  if (reusable?.tokens !== undefined) entry.tokens = reusable.tokens;
  if (reusable?.flagged) entry.flagged = reusable.flagged;
  if (reusable?.symbols) entry.symbols = reusable.symbols;
  if (reusable?.imports) entry.imports = reusable.imports;
  // The text is the bytes as read unless redaction changed it; a byte-order mark is not packed.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  cache.store.put(entry, text !== inspected.text ? text : bom ? bytes.subarray(3) : bytes);
  result.entries.set(file.path, entry);
  result.included.push({ path: file.path, bytes: bytes.length, entry, read: true });
}
