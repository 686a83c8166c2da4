import { resolve } from 'node:path';
import { runHostGit } from '@herd/tools/git';
import { type RunStatusGit, statusOnIndexCopy } from './status-on-index-copy.js';

/**
 * What git says about the work tree holding a root, read once (one walk of the work tree) and shared by the
 * listing of files to pack and the fingerprint that decides whether a kept result still holds.
 */
export interface GitStatus {
  /** The root's path below the top of the work tree, with a trailing `/` (empty at the top). */
  prefix: string;
  /** The same, as git printed it (a directory name need not be UTF-8). */
  prefixBytes: Buffer;
  /**
   * The index file's path (absolute). git rewrites it whenever a flag hiding files from `git status` changes
   * (assume-unchanged, skip-worktree), so its identity belongs in a fingerprint of what status shows.
   */
  indexPath: string;
  /** HEAD's commit; undefined in a repository without commits. */
  head: string | undefined;
  /** Every changed, untracked and ignored path (`git status --porcelain=v2`), relative to the top. */
  entries: GitStatusEntry[];
  /**
   * Whether `entries` holds the ignored paths: false for a status read without them (through Herd's copy of the
   * index), whose ignored paths must be listed apart (see listIgnoredPaths).
   */
  ignoredListed: boolean;
}

/** One record of `git status --porcelain=v2 -z`. */
export interface GitStatusEntry {
  /** `1` changed, `2` renamed or copied, `u` unmerged, `?` untracked, `!` ignored (a directory ends with `/`). */
  kind: string;
  /** The record as git printed it; a rename's original path follows after a NUL. */
  record: string;
  /** The path relative to the top of the work tree, as raw bytes (names need not be UTF-8). */
  path: Buffer;
}

/**
 * Runs `git status` (tracked changes, untracked files one by one, and ignored files and directories as they
 * match unless `ignored` is false) and `git rev-parse --show-prefix` at `root`; `undefined` outside a git work
 * tree or when git is missing. Leaving out ignored paths spares git a quarter of its walk; they are only needed
 * to list the files to pack, not to fingerprint the work tree. Without ignored paths and with `indexCopy` (Herd's
 * cache directory under the root), git looks through Herd's copy of the index with its untracked cache on (see
 * {@link statusOnIndexCopy}), which prints the same and skips the directories that did not change.
 */
export async function readGitStatus(
  root: string,
  options: {
    ignored?: boolean;
    indexCopy?: string;
    /** Called once `git status` itself is started (see runHostGit's `onStarted`). */
    onStarted?: () => void;
  } = {},
): Promise<GitStatus | undefined> {
  const git = hostGit(root);
  const statusGit = options.onStarted ? hostGit(root, options.onStarted) : git;
  const args = statusArguments({ ignored: options.ignored !== false });
  try {
    const located = git(['rev-parse', '--git-path', 'index', '--show-prefix']).then((output) =>
      parseLocated(root, output),
    );
    const copied =
      options.ignored === false && options.indexCopy !== undefined
        ? statusOnIndexCopy({
            root,
            directory: options.indexCopy,
            args,
            located: located.then((where) => where.indexPath),
            git: statusGit,
          }).catch(() => undefined)
        : undefined;
    const [where, status] = await Promise.all([
      located,
      copied ? copied.then((done) => done?.stdout ?? statusGit(args)) : statusGit(args),
    ]);
    return { ...where, ...parseStatus(status), ignoredListed: options.ignored !== false };
  } catch {
    return undefined;
  }
}

/**
 * git at the root through runHostGit: nothing the repository configures (filters, fsmonitor, hooks) runs. Its
 * stdout, or a throw when it fails.
 */
function hostGit(root: string, onStarted?: () => void): RunStatusGit {
  return async (args, environment) => {
    const result = await runHostGit({
      args,
      cwd: root,
      maxBuffer: 1024 * 1024 * 1024,
      ...(environment ? { environment } : {}),
      ...(onStarted ? { onStarted } : {}),
    });
    if (result.exitCode !== 0) throw new Error(result.stderr);
    return result.stdout;
  };
}

/**
 * `git status` as the packer reads it. Submodules are not looked into (`dirty`), since git would run `git status`
 * inside each with the submodule's own configuration. `--branch` is for HEAD's commit only: how far the branch is
 * ahead of or behind its upstream (a walk of history on a branch far from it) is not computed.
 */
function statusArguments(options: { ignored: boolean }): string[] {
  return [
    'status',
    '--porcelain=v2',
    '-z',
    '--branch',
    '--no-ahead-behind',
    '--untracked-files=all',
    ...(options.ignored ? ['--ignored=matching'] : []),
    '--ignore-submodules=dirty',
  ];
}

/** The index path (relative to the root in git's output) and the prefix, from `rev-parse`. */
function parseLocated(
  root: string,
  located: Buffer,
): Pick<GitStatus, 'indexPath' | 'prefix' | 'prefixBytes'> {
  // The index path first, then the prefix; only the line break goes from the prefix, as a directory name may begin
  // or end with spaces.
  const lineEnd = located.indexOf(10);
  const indexPath = resolve(root, located.subarray(0, lineEnd).toString('utf8'));
  const prefix = located.subarray(lineEnd + 1);
  const prefixBytes = prefix.subarray(0, prefix.at(-1) === 10 ? -1 : undefined);
  return { prefix: prefixBytes.toString('utf8'), prefixBytes, indexPath };
}

/** Splits porcelain v2 output into HEAD and entries. */
function parseStatus(output: Buffer): Pick<GitStatus, 'head' | 'entries'> {
  let head: string | undefined;
  const entries: GitStatusEntry[] = [];
  // The path follows this many space-separated fields in each kind of record.
  const fieldsBeforePath: Record<string, number> = { '1': 8, '2': 9, u: 10, '?': 1, '!': 1 };
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf(0, start);
    if (end === -1) end = output.length;
    const field = output.subarray(start, end);
    start = end + 1;
    const kind = String.fromCharCode(field[0] ?? 0);
    if (kind === '#') {
      const header = field.toString('utf8');
      if (header.startsWith('# branch.oid ') && !header.endsWith('(initial)')) head = header.slice(13);
      continue;
    }
    const before = fieldsBeforePath[kind];
    if (before === undefined) continue;
    let record = field.toString('utf8');
    if (kind === '2') {
      // A rename or copy: the original path is the next NUL-separated field.
      let originalEnd = output.indexOf(0, start);
      if (originalEnd === -1) originalEnd = output.length;
      record += `\0${output.subarray(start, originalEnd).toString('utf8')}`;
      start = originalEnd + 1;
    }
    let pathStart = 0;
    for (let spaces = 0; spaces < before && pathStart !== -1; spaces++) {
      const space = field.indexOf(32, pathStart);
      pathStart = space === -1 ? -1 : space + 1;
    }
    if (pathStart === -1) continue;
    entries.push({ kind, record, path: field.subarray(pathStart) });
  }
  return { head, entries };
}
