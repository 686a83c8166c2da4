import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PackStats } from '../pack-stats.js';

/** A whole packed result kept for an unchanged repository. */
interface StoredResult {
  fingerprint: string;
  stats: PackStats;
}

// Bump when the document format or the stats change shape, so old results are never returned.
const formatVersion = 1;
const execFileAsync = promisify(execFile);

/**
 * The state of a git work tree in one string: HEAD, plus every changed, staged and untracked path with its size and
 * modification time. Equal fingerprints mean git sees the same files with the same content as last time, so a
 * pack of them is the same. `undefined` outside a git work tree (or when git is missing). Asynchronous, so the
 * caller can read the last result while git looks at the work tree.
 */
export async function workTreeFingerprint(root: string): Promise<string | undefined> {
  const git = async (args: string[]) =>
    (
      await execFileAsync('git', args, {
        cwd: root,
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      })
    ).stdout;
  try {
    const [headOutput, statusOutput] = await Promise.all([
      git(['rev-parse', '--verify', '--quiet', 'HEAD']),
      git(['status', '--porcelain=v1', '-z', '--untracked-files=all']),
    ]);
    const head = headOutput.toString('utf8').trim();
    const status = statusOutput.toString('utf8');
    const hash = createHash('sha256').update(`${head}\n`);
    for (const record of status.split('\0')) {
      if (record.length < 4) continue;
      const path = record.slice(3);
      // Herd's own caches and logs change with every pack and are never packed.
      if (path.startsWith('.herd/')) continue;
      // A file changed again keeps the same status line; its size and time tell the difference.
      const info = statSafe(join(root, path));
      hash.update(`${record}\0${info}\0`);
    }
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

function statSafe(path: string): string {
  try {
    const info = statSync(path);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return 'absent';
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
    const document = readFileSync(paths.document, 'utf8');
    return { fingerprint: stored.fingerprint, document, stats: stored.stats };
  } catch {
    return undefined;
  }
}

/** Keeps a packed result for the next pack with the same options (best effort: a failed write only costs speed). */
export function savePackedResult(options: {
  root: string;
  key: string;
  fingerprint: string;
  document: string;
  stats: PackStats;
}): void {
  const paths = resultPaths(options);
  try {
    mkdirSync(paths.directory, { recursive: true });
    const suffix = `${process.pid}.tmp`;
    writeFileSync(`${paths.document}.${suffix}`, options.document);
    renameSync(`${paths.document}.${suffix}`, paths.document);
    const stored: StoredResult = { fingerprint: options.fingerprint, stats: options.stats };
    writeFileSync(`${paths.meta}.${suffix}`, JSON.stringify(stored));
    renameSync(`${paths.meta}.${suffix}`, paths.meta);
  } catch {
    // The cache is an optimisation; the pack itself succeeded.
  }
}
