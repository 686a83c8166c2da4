import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackStats } from '../pack-stats.js';
import type { GitStatus } from '../selection/git-status.js';

/** A whole packed result kept for an unchanged repository. */
interface StoredResult {
  fingerprint: string;
  /** How the document file is encoded (see {@link WrittenDocument}). */
  encoding: WrittenDocument['encoding'];
  stats: PackStats;
}

// Bump when the document format, the stats or the selection defaults change, so old results are never returned.
const formatVersion = 4;

/** What git sees of a work tree, as far as a pack of it is concerned. */
export interface WorkTreeState {
  /**
   * HEAD and the index file's identity (flags that hide files from git status live there), plus every changed, staged and untracked path with its size and modification time, hashed. Equal
   * fingerprints mean git sees the same files with the same content as last time, so a pack of them is the same.
   */
  fingerprint: string;
  /** Size and modification time (`size:mtimeMs`, or `absent`) of each changed path under the root, by path. */
  changed: Map<string, string>;
}

/**
 * The state of the git work tree at `root` (which may be a directory inside it), from a `git status` read by
 * `readGitStatus`; `undefined` outside a git work tree, in a repository without commits, or when git is
 * missing.
 */
export async function workTreeFingerprint(options: {
  root: string;
  /** git's look at the work tree, shared with the listing of files. */
  status: Promise<GitStatus | undefined>;
}): Promise<WorkTreeState | undefined> {
  const status = await options.status;
  if (!status || status.head === undefined) return undefined;
  const { prefixBytes } = status;
  // Read after git status ran, which may itself have refreshed the index: the next look then finds it unchanged.
  const hash = createHash('sha256').update(`${status.head}\n${statSafe(status.indexPath).full}\n`);
  const changed = new Map<string, string>();
  for (const entry of status.entries) {
    // Ignored files are never packed.
    if (entry.kind === '!') continue;
    // Status paths are relative to the top of the work tree; the root may be a directory below it.
    if (!entry.path.subarray(0, prefixBytes.length).equals(prefixBytes)) {
      hash.update(`${entry.record}\0`);
      continue;
    }
    const raw = entry.path.subarray(prefixBytes.length);
    const path = raw.toString('utf8');
    // Herd's own caches and logs change with every pack and are never packed.
    if (path.startsWith('.herd/')) continue;
    // A file changed again keeps the same status line; its size and times tell the difference. The raw name is
    // stat'ed, as a name that is not UTF-8 does not survive decoding.
    const info = statSafe(Buffer.concat([Buffer.from(`${options.root}/`), raw]));
    changed.set(path, info.read);
    hash.update(`${entry.record}\0${info.full}\0`);
  }
  return { fingerprint: hash.digest('hex'), changed };
}

/**
 * Whether the files a pack read are the ones git saw: every changed path that the pack read has the size and
 * modification time it had when git looked. A pack whose reads overlapped git's look may otherwise keep a result
 * under a fingerprint of newer files.
 */
export function readMatchesWorkTree(options: {
  state: WorkTreeState;
  entries: ReadonlyMap<string, { size: number; mtimeMs: number }>;
}): boolean {
  for (const [path, info] of options.state.changed) {
    const entry = options.entries.get(path);
    if (entry && `${entry.size}:${entry.mtimeMs}` !== info) return false;
  }
  return true;
}

/**
 * A changed file's size and modification time (what a pack's read entries record), and the same with its change
 * time and inode, which copying with preserved times (`cp -p`, `touch -r`) cannot keep.
 */
function statSafe(path: Buffer | string): { read: string; full: string } {
  try {
    const info = statSync(path);
    const read = `${info.size}:${info.mtimeMs}`;
    return { read, full: `${read}:${info.ctimeMs}:${info.ino}` };
  } catch {
    return { read: 'absent', full: 'absent' };
  }
}

/** Where the packed result for a set of options lives. */
function resultPaths(options: { root: string; key: string }) {
  const name = createHash('sha256').update(`${formatVersion}\0${options.key}`).digest('hex').slice(0, 24);
  const directory = join(options.root, '.herd', 'cache');
  return {
    directory,
    meta: join(directory, `packed-${name}.json`),
    document: join(directory, `packed-${name}.txt`),
  };
}

/** The packed result kept by the last pack with the same options, and the work tree it was packed from. */
export interface PackedResult {
  /** The work tree's fingerprint when it was packed. */
  fingerprint: string;
  /** The packed document. */
  document: string;
  /** Its stats. */
  stats: PackStats;
}

/** The packed result of the last pack with the same options, whatever the work tree is now; else `undefined`. */
export function loadPackedResult(options: { root: string; key: string }): PackedResult | undefined {
  const paths = resultPaths(options);
  try {
    const stored = JSON.parse(readFileSync(paths.meta, 'utf8')) as StoredResult;
    const document = readFileSync(paths.document).toString(stored.encoding);
    return { fingerprint: stored.fingerprint, document, stats: stored.stats };
  } catch {
    return undefined;
  }
}

/** A document to keep, written to a temporary file by {@link writePackedDocument}. */
export interface WrittenDocument {
  /** The temporary file. */
  path: string;
  /**
   * Its encoding: one byte per character when every character fits (`latin1`), else two (`utf16le`). Either
   * turns back into a string several times faster than UTF-8 would, which is most of a warm repack's work.
   */
  encoding: 'latin1' | 'utf16le';
}

/**
 * Starts writing a document to keep to a temporary file, on the thread pool, so the caller can do other work
 * meanwhile; resolves to the written file, or `undefined` when it could not be written. Hand the result to
 * {@link savePackedResult}, or to {@link discardPackedDocument} when the result is not kept.
 */
export async function writePackedDocument(options: {
  root: string;
  key: string;
  document: string;
}): Promise<WrittenDocument | undefined> {
  const paths = resultPaths(options);
  const written: WrittenDocument = {
    path: `${paths.document}.${process.pid}.tmp`,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is every one-byte character.
    encoding: /[^\u0000-\u00ff]/.test(options.document) ? 'utf16le' : 'latin1',
  };
  try {
    await mkdir(paths.directory, { recursive: true });
    await writeFile(written.path, options.document, written.encoding);
    return written;
  } catch {
    return undefined;
  }
}

/** Removes a document written by {@link writePackedDocument} that is not kept after all. */
export async function discardPackedDocument(written: Promise<WrittenDocument | undefined>): Promise<void> {
  const temporary = await written;
  if (temporary) await rm(temporary.path, { force: true });
}

/** Keeps a packed result for the next pack with the same options (best effort: a failed write only costs speed). */
export async function savePackedResult(options: {
  root: string;
  key: string;
  fingerprint: string;
  /** The document, as written by {@link writePackedDocument}. */
  written: Promise<WrittenDocument | undefined>;
  stats: PackStats;
}): Promise<void> {
  const paths = resultPaths(options);
  const written = await options.written;
  if (!written) return;
  try {
    renameSync(written.path, paths.document);
    const stored: StoredResult = {
      fingerprint: options.fingerprint,
      encoding: written.encoding,
      stats: options.stats,
    };
    const suffix = `${process.pid}.tmp`;
    writeFileSync(`${paths.meta}.${suffix}`, JSON.stringify(stored));
    renameSync(`${paths.meta}.${suffix}`, paths.meta);
    pruneKeptResults(paths.directory);
  } catch {
    // The cache is an optimisation; the pack itself succeeded.
  }
}

// Results kept per root: one per set of options (a task, a budget), so the newest few, not one per task ever run.
const keptResults = 4;

/** Removes all but the most recently kept results (a document can be as large as the repository). */
function pruneKeptResults(directory: string): void {
  const kept = readdirSync(directory)
    .filter((name) => /^packed-[0-9a-f]+\.json$/.test(name))
    .map((name) => ({ name, time: statSync(join(directory, name)).mtimeMs }))
    .sort((left, right) => right.time - left.time);
  for (const { name } of kept.slice(keptResults)) {
    rmSync(join(directory, name), { force: true });
    rmSync(join(directory, name.replace(/\.json$/, '.txt')), { force: true });
  }
}
