import { lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@herd/core';

/**
 * What is wrong with the workspace's `.herd` (a symbolic link, a file, a place outside the workspace), if anything.
 * Herd writes sessions, plans and logs there, and a link committed in a repository could send those writes anywhere.
 */
export function herdDirectoryProblem(workspace: string): string | undefined {
  const directory = join(workspace, '.herd');
  let info: ReturnType<typeof lstatSync>;
  try {
    info = lstatSync(directory);
  } catch {
    return undefined;
  }
  if (info.isSymbolicLink()) return 'is a symbolic link';
  if (!info.isDirectory()) return 'is not a directory';
  if (!realpathSync(directory).startsWith(realpathSync(workspace))) return 'resolves outside the workspace';
  return undefined;
}

/**
 * Refuses an unsafe `.herd` (see {@link herdDirectoryProblem}).
 *
 * @throws {UserError} naming the path and what to do.
 */
export function assertHerdDirectoryInside(workspace: string): void {
  const problem = herdDirectoryProblem(workspace);
  if (problem) {
    throw new UserError({
      code: 'herd_directory_unsafe',
      message: `${join(workspace, '.herd')} ${problem}; Herd keeps its sessions and plans there, so remove it and run again.`,
    });
  }
}

/**
 * Creates `.herd/` in the workspace with a `.gitignore` that ignores the folder itself, so Herd never dirties git
 * status. Returns the directory.
 *
 * @throws {UserError} when `.herd` is unsafe to write into.
 */
export function prepareHerdDirectory(workspace: string): string {
  assertHerdDirectoryInside(workspace);
  const directory = join(workspace, '.herd');
  mkdirSync(directory, { recursive: true });
  // Created only where nothing is, not even a link: a committed `.gitignore` link (dangling or not) must not have
  // Herd write through it to a place outside the workspace.
  try {
    writeFileSync(
      join(directory, '.gitignore'),
      '# Herd keeps sessions, plans, caches and audit logs here.\n*\n',
      {
        flag: 'wx',
      },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return directory;
}

/**
 * Makes `.herd/<name>` (with `.herd` and its `.gitignore`; see {@link prepareHerdDirectory}) and returns it. A
 * `.herd/<name>` that is already there as a link (committed, or planted) or a file is refused: whatever Herd keeps
 * there would be written wherever it points.
 *
 * @throws {UserError} when `.herd` or `.herd/<name>` is unsafe to write into.
 */
export function prepareHerdSubdirectory(workspace: string, name: string): string {
  const directory = join(prepareHerdDirectory(workspace), name);
  let info: ReturnType<typeof lstatSync> | undefined;
  try {
    info = lstatSync(directory);
  } catch {
    // Not there yet (another pack may make it at the same moment).
    mkdirSync(directory, { recursive: true });
    return directory;
  }
  if (!info.isDirectory()) {
    throw new UserError({
      code: 'herd_directory_unsafe',
      message: `${directory} is not a directory (a link or a file); remove it and run again.`,
    });
  }
  return directory;
}
