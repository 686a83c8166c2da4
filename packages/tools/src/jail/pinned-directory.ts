import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A folder held open, so names inside it are looked up in that very folder: renaming or swapping a folder on the
 * way to it for a symlink afterwards changes nothing. Node has no `openat()`, but on Linux `/proc/self/fd/N/name`
 * is looked up in the folder the descriptor holds, which is the same thing.
 */
export interface PinnedDirectory {
  /** The absolute path the folder was opened at. */
  readonly absolute: string;
  /** A path naming this folder itself (`/proc/self/fd/N`), or `absolute` where the system offers none. */
  readonly path: string;
  /** Whether names are really looked up in the held folder (false where the system offers no such path). */
  readonly pinned: boolean;
  /** The path of the entry `name` of this folder, looked up in the held folder. */
  entry(name: string): string;
  /** Where the folder is now; undefined where the system cannot tell. */
  location(): Promise<string | undefined>;
  /** The folder's own status (mode, group). */
  stat(): Promise<Stats>;
  /** Lets the folder go; safe to call twice. */
  close(): Promise<void>;
}

/**
 * `O_PATH` (Linux): a descriptor that names a folder without reading it, so a folder with no read permission can
 * be held too. Its value is the same on every architecture Node runs on.
 */
const pathOnly = process.platform === 'linux' ? 0o10000000 : 0;
const folderFlags =
  pathOnly | constants.O_DIRECTORY | constants.O_NOFOLLOW | (pathOnly ? 0 : constants.O_RDONLY);

let descriptorPaths: Promise<boolean> | undefined;

/** Whether `/proc/self/fd/N` names what descriptor N holds here (Linux with /proc mounted). */
export function hasDescriptorPaths(): Promise<boolean> {
  descriptorPaths ??= (async () => {
    if (process.platform !== 'linux') return false;
    const handle = await open('/', folderFlags).catch(() => undefined);
    if (!handle) return false;
    try {
      return (await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined)) === '/';
    } finally {
      await handle.close();
    }
  })();
  return descriptorPaths;
}

/**
 * Opens the folder at `location` (an absolute path, or a path inside another pinned folder) without following a
 * symlink in its last name, and holds it.
 *
 * @throws the system error: `ENOENT` when nothing is there, `ENOTDIR` for a file or a symlink.
 */
export async function openPinnedDirectory(options: {
  /** Where to open: an absolute path or {@link PinnedDirectory.entry} of the parent. */
  location: string;
  /** The absolute path this is, for {@link PinnedDirectory.absolute}. */
  absolute: string;
}): Promise<PinnedDirectory> {
  const { location, absolute } = options;
  if (!(await hasDescriptorPaths())) {
    const stats = await stat(location);
    if (!stats.isDirectory()) {
      throw Object.assign(new Error(`ENOTDIR: not a directory, open '${location}'`), { code: 'ENOTDIR' });
    }
    return unpinned(absolute);
  }
  const handle: FileHandle = await open(location, folderFlags);
  const own = `/proc/self/fd/${handle.fd}`;
  let closed = false;
  return {
    absolute,
    path: own,
    pinned: true,
    entry: (name) => `${own}/${name}`,
    location: () => readlink(own),
    stat: () => handle.stat(),
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/** A folder named by its absolute path only, where the system offers no path to a held folder. */
function unpinned(absolute: string): PinnedDirectory {
  return {
    absolute,
    path: absolute,
    pinned: false,
    entry: (name) => path.join(absolute, name),
    location: async () => undefined,
    stat: () => stat(absolute),
    close: async () => {},
  };
}
