import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from '@herd/core';

/** Which git Herd runs on the host, and the search path git itself gets. */
export interface HostGitExecutable {
  /** Absolute path of the git program. */
  executable: string;
  /** `PATH` for git's own children: the directories that were trusted, in their order. */
  searchPath: string;
}

const found = new Map<string, Promise<HostGitExecutable>>();

/** Whether `child` is `parent` or lies below it (both absolute, real). */
const isInside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent === path.sep ? parent : `${parent}${path.sep}`);

const realOrResolved = (target: string) => realpath(target).catch(() => path.resolve(target));

/**
 * Finds the git Herd runs on the host in a directory. `PATH` is searched as a shell would, except for the entries a
 * model could have put a program named `git` in: relative ones (`./node_modules/.bin`, which `npx` and `pnpm exec`
 * put first, and an empty entry: both mean the directory git runs in) and any inside that directory (the
 * workspace's `node_modules/.bin`, which package-manager scripts put first). A `git` whose real path leads into the
 * directory is passed over too. Cached per `PATH` and directory.
 *
 * @param cwd the directory git will run in (the workspace, or the repository around it).
 * @param searchPath `PATH` as Herd was given it.
 * @throws SystemError `git_unavailable` when no git is found outside the directory.
 */
export function findHostGit(cwd: string, searchPath: string): Promise<HostGitExecutable> {
  const key = `${searchPath}\0${cwd}`;
  let result = found.get(key);
  if (!result) {
    result = search(cwd, searchPath);
    // A failed search (git installed later) is retried next time.
    result.catch(() => found.delete(key));
    found.set(key, result);
  }
  return result;
}

async function search(cwd: string, searchPath: string): Promise<HostGitExecutable> {
  const reach = await realOrResolved(cwd);
  const trusted: string[] = [];
  for (const entry of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(entry) || trusted.includes(entry)) continue;
    if (isInside(path.resolve(entry), reach) || isInside(await realOrResolved(entry), reach)) continue;
    trusted.push(entry);
  }
  for (const directory of trusted) {
    const candidate = path.join(directory, 'git');
    try {
      await access(candidate, constants.X_OK);
      if (!(await stat(candidate)).isFile() || isInside(await realpath(candidate), reach)) continue;
      return { executable: candidate, searchPath: trusted.join(path.delimiter) };
    } catch {}
  }
  throw new SystemError({
    code: 'git_unavailable',
    message: `No git was found on PATH outside ${cwd} (a git inside the workspace, or on a relative PATH entry, is never run); install git or put its directory on PATH.`,
  });
}
