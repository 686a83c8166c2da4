import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { type IgnoreLayer, isIgnoredByLayers, readIgnoreLayer } from './ignore-layer.js';

/** One entry found by {@link walkWorkspace}. */
export interface WalkEntry {
  /** Workspace-relative path with `/` separators. */
  relative: string;
  /** Absolute path. */
  absolute: string;
  /** What the entry is; symlinks are listed but never followed. */
  kind: 'file' | 'directory' | 'symlink';
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

/**
 * Walks the workspace breadth-first in sorted order, honoring `.gitignore` and `.herdignore` files at every level
 * (including those above `start`), skipping `.git` directories and paths the jail's deny globs refuse, and never
 * following symlinks.
 */
export async function* walkWorkspace(options: WalkWorkspaceOptions): AsyncGenerator<WalkEntry> {
  const { jail, start, recursive = true, signal } = options;
  const startRelative = jail.toRelative(start);
  const inherited: IgnoreLayer[] = [];
  // Ignore files of the ancestors between the root and the start directory apply too.
  const ancestors = startRelative === '.' ? [] : startRelative.split('/');
  for (let depth = 0; depth < ancestors.length; depth += 1) {
    const base = ancestors.slice(0, depth).join('/');
    const layer = await readIgnoreLayer({ directory: path.join(jail.root, base), base });
    if (layer) inherited.push(layer);
  }
  const queue: Array<{ absolute: string; relative: string; layers: IgnoreLayer[] }> = [
    { absolute: start, relative: startRelative === '.' ? '' : startRelative, layers: inherited },
  ];
  while (queue.length > 0) {
    if (signal?.aborted) return;
    const directory = queue.shift()!;
    const own = await readIgnoreLayer({ directory: directory.absolute, base: directory.relative });
    const layers = own ? [...directory.layers, own] : directory.layers;
    let entries: Dirent[];
    try {
      entries = await readdir(directory.absolute, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const relative = directory.relative ? `${directory.relative}/${entry.name}` : entry.name;
      const absolute = path.join(directory.absolute, entry.name);
      const isDirectory = entry.isDirectory();
      if (isIgnoredByLayers({ layers, relative, directory: isDirectory })) continue;
      if (jail.deniedBy(relative)) continue;
      if (isDirectory) {
        yield { relative, absolute, kind: 'directory' };
        if (recursive) queue.push({ absolute, relative, layers });
      } else if (entry.isSymbolicLink()) {
        yield { relative, absolute, kind: 'symlink' };
      } else if (entry.isFile()) {
        yield { relative, absolute, kind: 'file' };
      }
    }
  }
}
