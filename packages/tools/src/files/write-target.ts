import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '@herd/core';
import { PathDeniedError } from '../errors/path-denied-error.js';
import type { PinnedDirectory } from '../jail/pinned-directory.js';
import type { ResolvedPath, WorkspaceJail } from '../jail/workspace-jail.js';
import { missingPathError } from './missing-path-error.js';

/** The file a write goes to: its folder, held open, and its name in that folder. */
export interface WriteTarget {
  /** The folder, held so the write cannot be redirected by a folder swapped for a symlink later. */
  directory: PinnedDirectory;
  /** The file's name in the folder. */
  name: string;
  /** The path as the caller gave it, for messages. */
  shownPath: string;
}

/** The error for a directory where a file was expected. */
export const isADirectoryError = (shownPath: string) =>
  new UserError({
    code: 'is_a_directory',
    message: `'${shownPath}' is a directory; give the path of a file inside it.`,
  });

/**
 * Holds the folder of a path the jail accepted for writing (creating missing folders with `create`) while `work`
 * reads and writes the file through it, then lets it go.
 *
 * @throws PathDeniedError when a folder on the way was swapped after the jail's check; `path_not_found` when the
 *   folder is missing and `create` is false.
 */
export async function withWriteTarget<T>(
  options: { jail: WorkspaceJail; target: ResolvedPath; shownPath: string; create: boolean },
  work: (target: WriteTarget) => Promise<T>,
): Promise<T> {
  const { jail, target, shownPath, create } = options;
  if (target.relative === '.') throw isADirectoryError(shownPath);
  const directory = await jail
    .openDirectory({ relative: path.posix.dirname(target.relative), path: shownPath, create })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw missingPathError(shownPath);
      throw error;
    });
  try {
    return await work({ directory, name: path.posix.basename(target.relative), shownPath });
  } finally {
    await directory.close();
  }
}

/**
 * Opens the current file of a write target for reading, never through a symlink swapped in since the jail's
 * check. Undefined when there is no file yet.
 *
 * @throws UserError `is_a_directory`; PathDeniedError for a symlink or a special file found there now.
 */
export async function openCurrentFile(
  target: WriteTarget,
): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(
      target.directory.entry(target.name),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new PathDeniedError({
        path: target.shownPath,
        rule: 'symlink_escape',
        message: `The path '${target.shownPath}' was swapped for a symlink after it was checked; it was refused.`,
      });
    }
    throw error;
  }
  const stats = await handle.stat();
  if (stats.isFile()) return { handle, stats };
  await handle.close();
  if (stats.isDirectory()) throw isADirectoryError(target.shownPath);
  throw new PathDeniedError({
    path: target.shownPath,
    rule: 'special_file',
    message: `The path '${target.shownPath}' is not a regular file (a FIFO, socket or device), which tools never read or write; use a regular file.`,
  });
}
