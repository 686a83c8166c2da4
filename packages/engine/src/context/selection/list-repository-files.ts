import { readFileSync } from 'node:fs';
import { runHostGit } from '@herd/tools/git';
import type { ExcludedFile } from '../pack-stats.js';
import { type GitStatus, readGitStatus } from './git-status.js';
import { listIgnoredPaths } from './list-ignored-paths.js';
import { createNestedIgnore } from './nested-ignore.js';
import { type RepositoryFile, toRepositoryFile } from './repository-file.js';
import { walkDirectory } from './walk-directory.js';

/** Options for {@link listRepositoryFiles}. */
export interface ListRepositoryFilesOptions {
  /** Absolute root directory. */
  root: string;
  /** Extra gitignore-style patterns, relative to the root. */
  exclude: readonly string[];
  /** git's look at the work tree when the caller has already started it (it is shared with the fingerprint). */
  status?: Promise<GitStatus | undefined>;
}

/** The files of a repository, before reading. */
export interface RepositoryFileList {
  /** `git` when `git ls-files` listed them, `walk` when the directory was walked. */
  source: 'git' | 'walk';
  /** Candidate files, sorted by path. */
  files: RepositoryFile[];
  /** Paths left out by ignore rules (a directory stands for everything under it). */
  excluded: ExcludedFile[];
  /** Odd names and similar problems. */
  warnings: string[];
  /**
   * The paths git ignores, when git status did not list them (it went through Herd's copy of the index; see
   * listIgnoredPaths): they only go into the pack's list of exclusions, so they are listed once status is done and
   * awaited after the files are read, while git walks for them.
   */
  ignoredLater?: Promise<ExcludedFile[]>;
  /**
   * Tracked files that `git status` does not watch (marked assume-unchanged or skip-worktree): a change to them
   * would not show in the work tree's fingerprint, so no result is kept for reuse while there are any.
   */
  unwatched: number;
}

/** Directories never packed: version control and Herd's own state. */
const alwaysIgnored = ['.git/', '.herd/'];
// What those two rules ignore: anything inside a directory named .git or .herd, at any depth.
const alwaysIgnoredDirectory = /(^|\/)\.(git|herd)\//;

/**
 * Lists the files to consider: tracked plus untracked-not-ignored files from `git ls-files` inside a git work
 * tree, otherwise a walk honoring `.gitignore` at every level. `.herdignore` files (anywhere) and the `exclude`
 * patterns apply on top.
 */
export async function listRepositoryFiles(options: ListRepositoryFilesOptions): Promise<RepositoryFileList> {
  const fromGit = await listWithGit(options.root, options.status ?? readGitStatus(options.root));
  const listed = fromGit ?? (await walkDirectory({ root: options.root }));
  const rules = createNestedIgnore();
  rules.add({ directory: '', rules: [...alwaysIgnored, ...options.exclude].join('\n') });
  let onlyAlwaysIgnored = options.exclude.length === 0;
  for (const file of listed.files) {
    if (file.path === '.herdignore' || file.path.endsWith('/.herdignore')) {
      onlyAlwaysIgnored = false;
      const directory = file.path.slice(0, Math.max(0, file.path.lastIndexOf('/')));
      try {
        rules.add({ directory, rules: readFileSync(file.fsPath, 'utf8') });
      } catch {
        listed.warnings.push(`Could not read ${file.path}; its rules were not applied.`);
      }
    }
  }
  // With no other rules, a plain test of the path's directories decides the same as the ignore rules, faster.
  const ignores = onlyAlwaysIgnored
    ? (path: string) => alwaysIgnoredDirectory.test(path)
    : (path: string) => rules.ignores({ path });
  const files: RepositoryFile[] = [];
  const excluded = [...listed.excluded];
  for (const file of listed.files) {
    if (ignores(file.path)) excluded.push({ path: file.path, reason: 'ignored', detail: 'herdignore' });
    else files.push(file);
  }
  files.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  return {
    source: fromGit ? 'git' : 'walk',
    files,
    excluded,
    warnings: listed.warnings,
    unwatched: fromGit?.unwatched ?? 0,
    ...(fromGit?.ignoredLater ? { ignoredLater: fromGit.ignoredLater } : {}),
  };
}

/** git's stdout, or undefined when it fails; nothing the repository configures runs (see runHostGit). */
async function runGit(root: string, args: string[]): Promise<Buffer | undefined> {
  try {
    const result = await runHostGit({ args, cwd: root, maxBuffer: 1024 * 1024 * 1024 });
    return result.exitCode === 0 ? result.stdout : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tracked files from `git ls-files --cached` (reading only the index), untracked ones from `git status` (shared
 * with the fingerprint), and ignored ones from the same status or, when it was read without them, from
 * {@link listIgnoredPaths}.
 */
async function listWithGit(
  root: string,
  statusRead: Promise<GitStatus | undefined>,
): Promise<Omit<RepositoryFileList, 'source'> | undefined> {
  // `-v` tags each entry: lowercase for assume-unchanged, `S` for skip-worktree.
  const [tagged, status] = await Promise.all([
    runGit(root, ['ls-files', '-z', '-v', '--cached']),
    statusRead,
  ]);
  if (!tagged || !status) return undefined;
  const prefix = status.prefixBytes;
  const underRoot = (entry: { path: Buffer }) =>
    entry.path.length > prefix.length && entry.path.subarray(0, prefix.length).equals(prefix);
  const untracked = status.entries
    .filter((entry) => entry.kind === '?' && underRoot(entry))
    .map((entry) => entry.path.subarray(prefix.length));
  const tracked: Buffer[] = [];
  let unwatched = 0;
  for (const entry of splitNul(tagged)) {
    const tag = entry[0]!;
    if ((tag >= 97 && tag <= 122) || tag === 83) unwatched++;
    tracked.push(entry.subarray(2));
  }
  // A root that git ignores as a whole (say a package under node_modules) lists nothing: walk it instead.
  if (tracked.length === 0 && untracked.length === 0) return undefined;
  const warnings: string[] = [];
  const seen = new Set<string>();
  const files: RepositoryFile[] = [];
  for (const raw of [...tracked, ...untracked]) {
    const file = toRepositoryFile({ root, raw, warnings });
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    files.push(file);
  }
  if (!status.ignoredListed) {
    const ignoredLater = listIgnoredPaths(root).then((paths) => {
      if (!paths)
        warnings.push(
          'git could not list the files it ignores; they are left out, but not listed as excluded.',
        );
      return ignoredExclusions(paths ?? []);
    });
    return { files, excluded: [], warnings, unwatched, ignoredLater };
  }
  const ignored = status.entries
    .filter((entry) => entry.kind === '!' && underRoot(entry))
    .map((entry) => entry.path.subarray(prefix.length));
  return { files, excluded: ignoredExclusions(ignored), warnings, unwatched };
}

/** Exclusions for the paths git ignores (relative to the root), but for Herd's own directory. */
function ignoredExclusions(paths: readonly Buffer[]): ExcludedFile[] {
  const excluded: ExcludedFile[] = [];
  for (const raw of paths) {
    const path = raw.toString('utf8');
    if (!path.startsWith('.herd/')) excluded.push({ path, reason: 'ignored', detail: 'gitignore' });
  }
  return excluded;
}

function splitNul(buffer: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let index = buffer.indexOf(0, start); index !== -1; index = buffer.indexOf(0, start)) {
    if (index > start) parts.push(buffer.subarray(start, index));
    start = index + 1;
  }
  if (start < buffer.length) parts.push(buffer.subarray(start));
  return parts;
}
