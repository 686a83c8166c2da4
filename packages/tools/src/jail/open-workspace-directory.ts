import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '@herd/core';
import { PathDeniedError } from '../errors/path-denied-error.js';
import { openPinnedDirectory, type PinnedDirectory } from './pinned-directory.js';

const isInside = (root: string, candidate: string): boolean => {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
};

const swapped = (shown: string, relative: string) =>
  new PathDeniedError({
    path: shown,
    rule: 'symlink_escape',
    message: `The folder '${relative}' on the way to '${shown}' was renamed or swapped for a symlink after the path was checked; it was refused (nothing was read or written there). Try again once nothing else changes that folder.`,
  });

/** Turns a failed open into the jail's answer: a swapped-in symlink is refused, a file on the way is named. */
async function explainOpenFailure(options: {
  error: NodeJS.ErrnoException;
  root: string;
  relative: string;
  shown: string;
}): Promise<Error> {
  const { error, root, relative, shown } = options;
  if (error.code !== 'ENOTDIR' && error.code !== 'ELOOP') return error;
  // The first name on the way that is not a folder says which: a file the caller named, or a swapped-in symlink.
  const names = relative.split('/');
  for (let count = 1; count <= names.length; count += 1) {
    const part = names.slice(0, count).join('/');
    const stats = await lstat(path.join(root, part)).catch(() => undefined);
    if (!stats || stats.isSymbolicLink()) break;
    if (!stats.isDirectory()) {
      return new UserError({
        code: 'not_a_directory',
        message: `'${part}' is a file, not a folder, so '${shown}' cannot be inside it; give another path.`,
      });
    }
  }
  return swapped(shown, relative);
}

/**
 * Opens and holds the workspace folder at `relative` (creating missing folders with `create`, each made inside its
 * held parent), then checks that the folder held is the one at that path: a folder on the way swapped for a
 * symlink, even one pointing back inside, is refused. Names looked up through the result stay in that folder
 * whatever is swapped later.
 *
 * @throws PathDeniedError `symlink_escape` when the path changed under the call; UserError `not_a_directory`;
 *   the system error `ENOENT` when the folder is missing and `create` is false.
 */
export async function openWorkspaceDirectory(options: {
  /** The workspace root, symlinks resolved. */
  root: string;
  /** Workspace-relative folder with `/` separators, already accepted by the jail (`.` for the root). */
  relative: string;
  /** The path the caller gave, for messages. */
  shown: string;
  create?: boolean;
}): Promise<PinnedDirectory> {
  const { root, relative, shown, create = false } = options;
  const absolute = relative === '.' || relative === '' ? root : path.join(root, ...relative.split('/'));
  if (!isInside(root, absolute)) {
    throw new PathDeniedError({
      path: shown,
      rule: 'outside_workspace',
      message: `The path '${shown}' resolves outside the workspace ${root}; use a path relative to the workspace root.`,
    });
  }
  let pinned: PinnedDirectory;
  try {
    pinned = await openPinnedDirectory({ location: absolute, absolute });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || !create || absolute === root) {
      throw await explainOpenFailure({ error: error as NodeJS.ErrnoException, root, relative, shown });
    }
    const parent = await openWorkspaceDirectory({
      root,
      relative: path.posix.dirname(relative),
      shown,
      create,
    });
    const name = path.posix.basename(relative);
    try {
      await mkdir(parent.entry(name)).catch((failure: NodeJS.ErrnoException) => {
        if (failure.code !== 'EEXIST') throw failure;
      });
      pinned = await openPinnedDirectory({ location: parent.entry(name), absolute });
    } catch (failure) {
      throw await explainOpenFailure({ error: failure as NodeJS.ErrnoException, root, relative, shown });
    } finally {
      await parent.close();
    }
  }
  // /proc/self/fd names the folder really held: a symlink met on the way shows as another location.
  const location = await pinned.location().catch(() => '');
  if (location !== undefined && location !== absolute) {
    await pinned.close();
    throw swapped(shown, relative);
  }
  return pinned;
}
