import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A git lock older than this counts as abandoned where running processes cannot be inspected (not Linux). */
const abandonedAfterMs = 60_000;

/**
 * Removes the lock files a git process left in a repository it was killed in (SIGKILL of Herd together with its
 * git child): `index.lock`, `HEAD.lock`, `config.lock`, `packed-refs.lock` and the `.lock` of any ref. While such a
 * file exists git refuses to touch the index or the ref, so every later checkpoint would fail.
 *
 * A lock is only removed when no git is working in the repository: on Linux, no process has the repository as
 * `GIT_DIR` in its environment (the checkpoint store starts every git with it, and git's own children inherit
 * it); elsewhere, when the lock is over a minute old. The lock must also be the same file before and after that
 * check, so one taken meanwhile by a new git is left alone.
 *
 * @returns the lock files removed (absolute paths).
 */
export async function clearStaleGitLocks(gitDirectory: string): Promise<string[]> {
  const locks = await findLocks(gitDirectory);
  if (locks.length === 0) return [];
  const before = await Promise.all(locks.map((lock) => identity(lock)));
  if (await gitIsWorkingIn(gitDirectory, before)) return [];
  const removed: string[] = [];
  for (const [index, lock] of locks.entries()) {
    const seen = before[index];
    if (seen === undefined || seen !== (await identity(lock))) continue;
    try {
      await unlink(lock);
      removed.push(lock);
    } catch {
      // Gone already: the git holding it finished after all.
    }
  }
  return removed;
}

/**
 * The locks git takes at the top of a repository: the index (and the scratch indexes of restores), the config,
 * packed refs, the shallow file and the pseudo-refs (`HEAD`, `ORIG_HEAD`, ...). Nothing else there is touched, so a
 * store directory pointed at a folder of the user's never loses a `yarn.lock` or `Cargo.lock`.
 */
const topLevelLock = /^(?:index|restore-index-[0-9a-f-]+|config|packed-refs|shallow|[A-Z][A-Z_]*)\.lock$/;

async function findLocks(gitDirectory: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (directory: string, recurse: boolean) => {
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      if (entry.isFile() && (recurse ? entry.name.endsWith('.lock') : topLevelLock.test(entry.name)))
        found.push(full);
      else if (recurse && entry.isDirectory()) await visit(full, true);
    }
  };
  await visit(gitDirectory, false);
  await visit(path.join(gitDirectory, 'refs'), true);
  return found;
}

/** Which file a path is right now (inode and change time), or undefined when there is none. */
async function identity(file: string): Promise<string | undefined> {
  try {
    const stats = await stat(file, { bigint: true });
    return `${stats.dev}:${stats.ino}:${stats.ctimeNs}:${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

async function gitIsWorkingIn(gitDirectory: string, locks: (string | undefined)[]): Promise<boolean> {
  if (process.platform !== 'linux') {
    const now = Date.now();
    return locks.some((lock) => lock !== undefined && now - Number(lock.split(':')[3]) < abandonedAfterMs);
  }
  const wanted = Buffer.from(`GIT_DIR=${gitDirectory}\0`);
  const processes = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of processes) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    // Other users' processes are unreadable, and cannot be working in this user's cache either.
    const environment = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
    if (
      environment &&
      (environment.indexOf(wanted) === 0 || environment.includes(Buffer.concat([Buffer.from('\0'), wanted])))
    )
      return true;
  }
  return false;
}
