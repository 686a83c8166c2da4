import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Runs one host git command at the root with extra environment; its stdout, or a throw when it fails. */
export type RunStatusGit = (args: string[], environment?: Record<string, string>) => Promise<Buffer>;

/** What {@link statusOnIndexCopy} returns: git status's output, and the index the copy stood for. */
export interface IndexCopyStatus {
  /** `git status` output, as git printed it with the same arguments on the work tree's own index. */
  stdout: Buffer;
  /** The work tree's own index (absolute), unchanged from before git ran until after. */
  indexPath: string;
}

/**
 * Settings for git status on the copy, as command-line configuration (`GIT_CONFIG_COUNT`): the untracked cache
 * on, also for `--untracked-files=all` (git 2.39 and later; older versions ignore it and walk every directory);
 * one index file, never a split index whose shared part lives in the repository's git directory; and every stat
 * field compared (ctime included), whatever the user's `core.checkStat` and `core.trustctime` say, so a directory
 * whose times were set back is still seen as changed.
 */
const copySettings: readonly (readonly [string, string])[] = [
  ['core.untrackedCache', 'true'],
  ['status.showUntrackedFiles', 'all'],
  ['core.splitIndex', 'false'],
  ['core.checkStat', 'default'],
  ['core.trustctime', 'true'],
];

/** A temporary copy or git's lock beside it left by a process that died is removed after this long. */
const abandonedAfterMs = 60 * 60 * 1000;

/**
 * `git status` on Herd's own copy of the work tree's index, kept in `directory` (`<root>/.herd/cache`), with git's
 * untracked cache switched on in the copy: git then reads again only the directories whose stat data changed since
 * the last look, instead of every directory of the work tree (on babel, 27,600 files, it halves git status's CPU
 * time). The repository's own index is never written, and the output is what `git status` prints on it:
 *
 * - the copy is a byte-for-byte copy of the index (staged changes and the flags that hide files included), made
 *   again whenever the index's size, times or inode change (git replaces the file on every write); the copy is
 *   used only when the index is the same after git ran as before, else `undefined` is returned and the caller asks
 *   git about the index itself;
 * - the untracked cache is git's own: git compares each directory's stat data (mtime, ctime, inode, size) with
 *   what it recorded and reads a directory again when anything differs, and POSIX has every creation, removal or
 *   rename of an entry update its directory's mtime and ctime; `.gitignore` files, `info/exclude` and
 *   `core.excludesFile` are checked by content;
 * - a change within the same timestamp as git's look is caught as git catches it for its index ("racy git"): git
 *   trusts recorded stat data only when it is older than the index file. Herd sets the copy's modification time
 *   back to a whole second before the moment git started (read from the file system's own clock), so everything
 *   git recorded during its run, and anything changed while it ran, counts as racy and is looked at again next time
 *   (a copy git did not write keeps its older time). Setting the time back only ever makes git look at more.
 *
 * Each run works on a copy of its own, renamed into place when git is done, so concurrent packs never see a copy
 * whose time has not been set back yet. `undefined` when the copy cannot be used (no such directory, a `.herd` or
 * cache that is a link, an index that changed while git ran); git failing is thrown, as the plain status does.
 */
export async function statusOnIndexCopy(options: {
  /** Where git runs (the root being packed). */
  root: string;
  /** Herd's cache directory under the root, where the copy lives. */
  directory: string;
  /** `git status` and its arguments. */
  args: string[];
  /** The work tree's index (absolute), from `git rev-parse --git-path index`, running alongside. */
  located: Promise<string>;
  git: RunStatusGit;
}): Promise<IndexCopyStatus | undefined> {
  const { directory } = options;
  // Its failure is the caller's to report (readGitStatus awaits it too); here it may go unawaited.
  options.located.catch(() => {});
  if (!isPlainDirectory(join(options.root, '.herd')) || !isPlainDirectory(directory)) return undefined;
  // Where the index was last time starts git at once, and so does the usual place on a first look (the root is the
  // top of a work tree with a .git directory); git's own answer, alongside, confirms it. The usual place is taken
  // only when .git is a directory that git would take for a repository (HEAD, objects, refs) and its index a file,
  // none of them links: a .git made in a root below the top is not git's, and its index must neither name a file
  // elsewhere to be copied into the cache nor be handed to git.
  const sourceFile = join(directory, 'git-index-source');
  const remembered = readRemembered(sourceFile);
  const git = join(options.root, '.git');
  const usual = join(git, 'index');
  const guessed =
    isPlainDirectory(git) &&
    isPlainFile(join(git, 'HEAD')) &&
    isPlainDirectory(join(git, 'objects')) &&
    isPlainDirectory(join(git, 'refs')) &&
    isPlainFile(usual)
      ? usual
      : undefined;
  const indexPath = remembered ?? guessed ?? (await options.located);
  const confirmed = async () => {
    const located = await options.located;
    if (located === indexPath) return true;
    // The repository moved (or its git directory did): remember where its index is now for the next run.
    writeFileSync(sourceFile, located);
    return false;
  };
  const before = identity(indexPath);
  if (before === undefined) {
    await confirmed();
    return undefined;
  }
  const name = `git-index-${createHash('sha256').update(`${indexPath}\0${before}`).digest('hex').slice(0, 16)}`;
  const kept = join(directory, name);
  const working = `${kept}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const base = prepareCopy({ kept, working, indexPath, before });
    if (base === undefined) return undefined;
    utimesSync(working, base, base);
    // The file system's own clock as git starts: setting a file's times sets its change time to now.
    const started = wholeSeconds(statSync(working, { bigint: true }).ctimeNs);
    const environment: Record<string, string> = {
      GIT_INDEX_FILE: working,
      // The copy is Herd's: git may refresh it and record its untracked cache in it.
      GIT_OPTIONAL_LOCKS: '1',
      GIT_CONFIG_COUNT: String(copySettings.length),
    };
    copySettings.forEach(([key, value], index) => {
      environment[`GIT_CONFIG_KEY_${index}`] = key;
      environment[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    const stdout = await options.git(options.args, environment);
    if (!(await confirmed()) || identity(indexPath) !== before) return undefined;
    // Never later than it was: when git did not write the copy (nothing to record, or a failed write), what it holds
    // is as old as before and keeps its time.
    const time = Math.min(wholeSeconds(statSync(working, { bigint: true }).mtimeNs), started - 1);
    utimesSync(working, time, time);
    renameSync(working, kept);
    if (remembered !== indexPath) writeFileSync(sourceFile, indexPath);
    removeOthers({ directory, keep: name });
    return { stdout, indexPath };
  } finally {
    rmSync(working, { force: true });
    rmSync(`${working}.lock`, { force: true });
  }
}

/**
 * Puts the copy to work on at `working`: the kept copy for this index when there is one, else the index itself.
 * Returns the modification time (whole seconds) the working copy must have before git reads it: the kept copy's,
 * or a second before the index's; `undefined` when the index changed while it was copied.
 */
function prepareCopy(options: {
  kept: string;
  working: string;
  indexPath: string;
  before: string;
}): number | undefined {
  const { kept, working } = options;
  try {
    copyFileSync(kept, working);
    return wholeSeconds(statSync(kept, { bigint: true }).mtimeNs);
  } catch {
    // No copy for this index yet.
  }
  copyFileSync(options.indexPath, working);
  // git replaces the index by renaming a new file over it: the same identity after the copy means the same file.
  if (identity(options.indexPath) !== options.before) return undefined;
  return wholeSeconds(statSync(options.indexPath, { bigint: true }).mtimeNs) - 1;
}

/** A time in nanoseconds as whole seconds, rounded down. */
function wholeSeconds(nanoseconds: bigint): number {
  return Number(nanoseconds / 1_000_000_000n);
}

/** Size, modification and change times (nanoseconds) and inode of a file; `undefined` when it is missing. */
function identity(path: string): string | undefined {
  try {
    const info = statSync(path, { bigint: true });
    return `${info.size}:${info.mtimeNs}:${info.ctimeNs}:${info.ino}`;
  } catch {
    return undefined;
  }
}

function isPlainFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function isPlainDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readRemembered(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes copies made for earlier versions of the index, and working copies (and git's locks beside them) that a
 * process which died left behind; another run's working copy changes its ctime as it goes, so a recent one stays.
 */
function removeOthers(options: { directory: string; keep: string }): void {
  const now = Date.now();
  for (const name of readdirSync(options.directory)) {
    if (!name.startsWith('git-index-') || name === options.keep || name === 'git-index-source') continue;
    const path = join(options.directory, name);
    if (name.endsWith('.tmp') || name.endsWith('.lock')) {
      try {
        if (now - statSync(path).ctimeMs < abandonedAfterMs) continue;
      } catch {
        continue;
      }
    }
    rmSync(path, { force: true });
  }
}
