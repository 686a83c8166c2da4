import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { foldName } from '../jail/fold-path.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import {
  type IgnoreLayer,
  isIgnoredByLayers,
  readIgnoreLayer,
  readWorkspaceIgnoreLayer,
} from './ignore-layer.js';
import { isHerdTemporaryName } from './staging-directory.js';

/** One entry found by {@link walkWorkspace}. */
export interface WalkEntry {
  /** Workspace-relative path with `/` separators. */
  relative: string;
  /** Absolute path. */
  absolute: string;
  /** What the entry is; symlinks are listed but never followed. */
  kind: 'file' | 'directory' | 'symlink';
  /**
   * A path that opens this entry in the folder the walk read it from, held open, so a folder swapped for a
   * symlink meanwhile cannot lead outside. Valid only until the walk goes on.
   */
  openPath: string;
}

/** Options for {@link walkWorkspace}. */
export interface WalkWorkspaceOptions {
  /** The jail whose root and deny globs apply. */
  jail: WorkspaceJail;
  /** Absolute directory to start from, already resolved by the jail. */
  start: string;
  /** Descend into subdirectories. Default true. */
  recursive?: boolean;
  /** Stops the walk. */
  signal?: AbortSignal;
}

/** Names the walk never shows or enters: git's and Herd's own folders, and Herd's temporary files. */
const isHiddenName = (name: string): boolean => {
  const folded = foldName(name);
  return folded === '.git' || folded === '.herd' || isHerdTemporaryName(name);
};

/**
 * Walks the workspace breadth-first in sorted order, honoring `.gitignore` and `.herdignore` files at every level
 * (including those above `start`), skipping `.git` and `.herd` (in any case), Herd's temporary files and paths the
 * jail's deny globs refuse, and never following symlinks. Each folder is read through a handle checked to be the
 * folder at that path inside the workspace (see {@link WorkspaceJail.openDirectory}), so a folder swapped for a
 * symlink to somewhere else while the walk runs is skipped, never listed.
 */
export async function* walkWorkspace(options: WalkWorkspaceOptions): AsyncGenerator<WalkEntry> {
  const { jail, start, recursive = true, signal } = options;
  const startRelative = jail.toRelative(start);
  const inherited: IgnoreLayer[] = [];
  // Ignore files of the ancestors between the root and the start directory apply too.
  const ancestors = startRelative === '.' ? [] : startRelative.split('/');
  for (let depth = 0; depth < ancestors.length; depth += 1) {
    const base = ancestors.slice(0, depth).join('/');
    const layer = await readWorkspaceIgnoreLayer({ jail, base });
    if (layer) inherited.push(layer);
  }
  const queue: Array<{ relative: string; layers: IgnoreLayer[] }> = [
    { relative: startRelative === '.' ? '' : startRelative, layers: inherited },
  ];
  while (queue.length > 0) {
    if (signal?.aborted) return;
    const directory = queue.shift()!;
    const shown = directory.relative || '.';
    const folder = await jail.openDirectory({ relative: shown, path: shown }).catch(() => undefined);
    if (!folder) continue;
    try {
      const own = await readIgnoreLayer({ directory: folder.path, base: directory.relative });
      const layers = own ? [...directory.layers, own] : directory.layers;
      let entries: Dirent[];
      try {
        entries = await readdir(folder.path, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
      for (const entry of entries) {
        if (isHiddenName(entry.name)) continue;
        const relative = directory.relative ? `${directory.relative}/${entry.name}` : entry.name;
        const absolute = path.join(folder.absolute, entry.name);
        const openPath = folder.entry(entry.name);
        const isDirectory = entry.isDirectory();
        if (isIgnoredByLayers({ layers, relative, directory: isDirectory })) continue;
        if (jail.deniedBy(relative)) continue;
        if (isDirectory) {
          yield { relative, absolute, kind: 'directory', openPath };
          if (recursive) queue.push({ relative, layers });
        } else if (entry.isSymbolicLink()) {
          yield { relative, absolute, kind: 'symlink', openPath };
        } else if (entry.isFile()) {
          yield { relative, absolute, kind: 'file', openPath };
        }
      }
    } finally {
      await folder.close();
    }
  }
}
