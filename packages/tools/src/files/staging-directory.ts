import { constants } from 'node:fs';
import { chmod, open, readdir, unlink } from 'node:fs/promises';
import type { PinnedDirectory } from '../jail/pinned-directory.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';

/** Where writes stage their new content before it is renamed into place: inside Herd's own, git-ignored folder. */
export const stagingFolder = '.herd/tmp';

/** The name of a staged file: the writing process's id, then a random part. */
export const stagedFileName = /^(\d+)-[0-9a-f]{12}\.tmp$/;

/** Temporary files of a write staged beside its target (the fallback, and where earlier versions staged): `.NAME.herd-HEX.tmp`. */
export const besideTargetTemporaryName = /^\..+\.herd-[0-9a-f]{12}\.tmp$/;

/** Whether a file name is one of Herd's temporary files, which listings and searches never show. */
export function isHerdTemporaryName(name: string): boolean {
  return besideTargetTemporaryName.test(name);
}

const ignoreText = '# Herd keeps sessions, plans, caches and audit logs here.\n*\n';
const prepared = new WeakSet<WorkspaceJail>();

/**
 * Opens `.herd/tmp`, creating it (and `.herd/` with a `.gitignore` that ignores the folder itself, as the engine
 * does) when missing, and keeps it closed to other users (0700). A write staged here and killed halfway leaves nothing in the user's folders or git status,
 * and the next start removes it ({@link removeStaleStagedFiles}).
 *
 * @throws when `.herd` is not a plain folder inside the workspace; callers then stage beside the target.
 */
export async function openStagingDirectory(jail: WorkspaceJail): Promise<PinnedDirectory> {
  if (!prepared.has(jail)) {
    const herd = await jail.openDirectory({ relative: '.herd', path: '.herd', create: true });
    try {
      const ignore = await open(
        herd.entry('.gitignore'),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o644,
      ).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return undefined;
        throw error;
      });
      if (ignore) {
        await ignore.writeFile(ignoreText);
        await ignore.close();
      }
    } finally {
      await herd.close();
    }
    prepared.add(jail);
  }
  const staging = await jail.openDirectory({ relative: stagingFolder, path: stagingFolder, create: true });
  try {
    // A file written into a folder only its user can enter (0700) must not be open to others while it is staged:
    // the staging folder is its user's alone, as the temporary file beside the target was in that folder.
    if (((await staging.stat()).mode & 0o077) !== 0) await chmod(staging.path, 0o700);
  } catch (error) {
    await staging.close();
    throw error;
  }
  return staging;
}

const isRunning = (pid: number): boolean => {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the staged files of writes whose process is gone (killed halfway through a write). Files of a process
 * still running are left alone. Returns how many were removed; a workspace without `.herd/tmp` has none.
 */
export async function removeStaleStagedFiles(jail: WorkspaceJail): Promise<number> {
  const staging = await jail
    .openDirectory({ relative: stagingFolder, path: stagingFolder })
    .catch(() => undefined);
  if (!staging) return 0;
  try {
    let removed = 0;
    for (const name of await readdir(staging.path)) {
      const writer = stagedFileName.exec(name)?.[1];
      if (writer === undefined || isRunning(Number(writer))) continue;
      await unlink(staging.entry(name)).then(
        () => {
          removed += 1;
        },
        () => {},
      );
    }
    return removed;
  } finally {
    await staging.close();
  }
}
