import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import type { PackStats } from '../pack-stats.js';
import { openedDocument, type PackedDocument } from '../packed-document.js';
import type { GitStatus } from '../selection/git-status.js';
import { writeJsonFile } from './write-json-file.js';

/** A whole packed result kept for an unchanged repository. */
interface StoredResult {
  fingerprint: string;
  /** The file holding the document (UTF-8, exactly as handed out), in the cache directory. */
  document: string;
  stats: PackStats;
}

// Bump when the document format, the stats or the selection defaults change, so old results are never returned.
// Version 5: the document is kept as UTF-8 in a file the result names; generated files are told by comments.
const formatVersion = 5;

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
  return { directory, name, meta: join(directory, `packed-${name}.json`) };
}

/** The packed result kept by the last pack with the same options, and the work tree it was packed from. */
export interface PackedResult {
  /** The work tree's fingerprint when it was packed. */
  fingerprint: string;
  /** The packed document, open (close it when done). */
  document: PackedDocument;
  /** Its stats. */
  stats: PackStats;
}

/** Whether a result is kept for these options (without reading it). */
export function keptResultExists(options: { root: string; key: string }): boolean {
  return existsSync(resultPaths(options).meta);
}

/** The packed result of the last pack with the same options, whatever the work tree is now; else `undefined`. */
export function loadPackedResult(options: { root: string; key: string }): PackedResult | undefined {
  const paths = resultPaths(options);
  let fd: number | undefined;
  try {
    const stored = JSON.parse(readFileSync(paths.meta, 'utf8')) as StoredResult;
    if (!new RegExp(`^packed-${paths.name}-[0-9a-f]+\\.txt$`).test(stored.document)) return undefined;
    // Each kept document has a name of its own, so the one opened is the one these stats describe.
    const source = join(paths.directory, stored.document);
    fd = openSync(source, 'r');
    const document = openedDocument({ fd, size: fstatSync(fd).size, source });
    return { fingerprint: stored.fingerprint, document, stats: stored.stats };
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}

/**
 * A new file to write a document to keep in; hand it to {@link savePackedResult}, or remove it when the result is
 * not kept.
 */
export function keptDocumentTemporary(options: { root: string; key: string }): string {
  const paths = resultPaths(options);
  return join(
    paths.directory,
    `packed-${paths.name}-${randomBytes(8).toString('hex')}.txt.${process.pid}.tmp`,
  );
}

/**
 * Keeps a packed result for the next pack with the same options: the document written at `temporary` (from
 * {@link keptDocumentTemporary}) is renamed into place and its stats written beside it. Returns the document's
 * place, or `undefined` when it could not be kept (a failed write only costs speed; the document is still at
 * `temporary` then).
 */
export function savePackedResult(options: {
  root: string;
  key: string;
  fingerprint: string;
  temporary: string;
  stats: PackStats;
}): string | undefined {
  const paths = resultPaths(options);
  const document = options.temporary.replace(/\.\d+\.tmp$/, '');
  const name = document.slice(paths.directory.length + 1);
  try {
    renameSync(options.temporary, document);
  } catch {
    return undefined;
  }
  try {
    const stored: StoredResult = { fingerprint: options.fingerprint, document: name, stats: options.stats };
    const temporary = `${paths.meta}.${process.pid}.tmp`;
    // A part at a time: the stats of a hundred thousand files are tens of megabytes of JSON.
    writeJsonFile(temporary, stored);
    renameSync(temporary, paths.meta);
    pruneKeptResults({ directory: paths.directory, keep: name });
  } catch {
    // The cache is an optimisation; the pack itself succeeded.
  }
  return document;
}

// Results kept per root: one per set of options (a task, a budget), so the newest few, not one per task ever run.
const keptResults = 4;

/**
 * Removes all but the most recently kept results (a document can be as large as the repository), and documents
 * of kept results that a newer document replaced.
 */
function pruneKeptResults(options: { directory: string; keep: string }): void {
  const { directory } = options;
  const names = readdirSync(directory);
  const kept = names
    .filter((name) => /^packed-[0-9a-f]+\.json$/.test(name))
    .map((name) => ({ name, time: statSync(join(directory, name)).mtimeMs }))
    .sort((left, right) => right.time - left.time);
  const live = new Set(kept.slice(0, keptResults).map(({ name }) => name.slice(0, -'.json'.length)));
  for (const { name } of kept.slice(keptResults)) rmSync(join(directory, name), { force: true });
  const sameKey = options.keep.slice(0, options.keep.lastIndexOf('-'));
  for (const name of names) {
    const match = /^(packed-[0-9a-f]+)-[0-9a-f]+\.txt$/.exec(name);
    if (!match || name === options.keep) continue;
    if (match[1] === sameKey || !live.has(match[1]!)) rmSync(join(directory, name), { force: true });
  }
}
