import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { hostPath } from './host-path.js';

const lstatOrUndefined = async (target: string) => {
  try {
    return await lstat(target);
  } catch {
    return undefined;
  }
};

const realOrUndefined = async (target: string) => {
  try {
    return await realpath(target);
  } catch {
    return undefined;
  }
};

/** The git directory a `.git` file names (`gitdir: ...`), resolved; undefined when it names none. */
async function gitFileTarget(gitFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(gitFile, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^gitdir: (.+)$/m.exec(text);
  if (!match) return undefined;
  const target = path.resolve(path.dirname(gitFile), match[1]!.trim());
  return (await realOrUndefined(target)) ?? target;
}

/**
 * What git, started in some directory, takes for its repository there: `.git` (a directory with HEAD, or a file
 * saying `gitdir:`), else the directory itself when it holds `HEAD` (git's check for a bare repository, which needs
 * no `.git` at all). Undefined when git would look further up.
 */
async function repositoryAt(directory: string): Promise<string | undefined> {
  const dotGit = path.join(directory, '.git');
  const entry = await lstatOrUndefined(dotGit);
  if (entry?.isFile() || entry?.isSymbolicLink()) {
    const target = await gitFileTarget(dotGit);
    if (target) return target;
    if (entry.isSymbolicLink()) return (await realOrUndefined(dotGit)) ?? dotGit;
  } else if (entry?.isDirectory() && (await lstatOrUndefined(path.join(dotGit, 'HEAD')))) {
    return dotGit;
  }
  // An empty `.git` (a placeholder) does not stop git: it then asks whether the directory itself is a repository.
  return (await lstatOrUndefined(path.join(directory, 'HEAD'))) ? directory : undefined;
}

/**
 * The git directory, inside the workspace, whose configuration git started in `directory` would obey although it
 * is not the workspace's own `.git`: a repository built in a subfolder (its `HEAD`, `config`, `objects/` and
 * `refs/` are plain files `write_file` can write, and git takes such a folder for a bare repository, or for the
 * git directory of the work tree its `core.worktree` names), a nested `.git`, or a `.git` file pointing at one.
 * Its `core.fsmonitor`, filters, diff drivers and the like are programs git runs, so "read-only" git there runs
 * whatever was written into it.
 *
 * Undefined when git would use the workspace's own `.git` (its submodules' and worktrees' git directories inside
 * it included), a repository outside the workspace, or none: those the model cannot write (Herd's tools refuse
 * `.git`, the sandbox keeps it read-only). Walks up from `directory` to the workspace root as git's discovery does;
 * above the root, everything is out of the model's reach.
 */
export async function findPlantedGitDirectory(options: {
  directory: string;
  workspace: string;
}): Promise<string | undefined> {
  const root = (await realOrUndefined(options.workspace)) ?? path.resolve(options.workspace);
  const ownGitDirectory = path.join(root, '.git');
  const trusted = (gitDirectory: string) =>
    !hostPath.isInside(gitDirectory, root) || hostPath.isInside(gitDirectory, ownGitDirectory);
  let current = (await realOrUndefined(options.directory)) ?? path.resolve(options.directory);
  while (hostPath.isInside(current, root)) {
    const repository = await repositoryAt(current);
    if (repository) return trusted(repository) ? undefined : repository;
    if (current === root) break;
    current = path.dirname(current);
  }
  return undefined;
}
