import path from 'node:path';
import { foldName } from '../jail/fold-path.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { type IgnoreLayer, isIgnoredByLayers, readWorkspaceIgnoreLayer } from './ignore-layer.js';
import { isHerdTemporaryName } from './staging-directory.js';

/** Answers whether the workspace walker would leave a file out; made by {@link createWorkspaceIgnoreFilter}. */
export interface WorkspaceIgnoreFilter {
  /**
   * True when the workspace-relative file, or a folder between the start and it, is ignored, denied, `.git` or
   * `.herd` (in any case), or one of Herd's temporary files.
   */
  hides(relative: string): Promise<boolean>;
}

const parentOf = (relative: string): string => {
  const slash = relative.lastIndexOf('/');
  return slash === -1 ? '' : relative.slice(0, slash);
};

/**
 * Creates a filter with the walker's exact rules (`.gitignore` and `.herdignore` of every folder from the root
 * down, each relative to its own folder; `.git`; the jail's deny globs) for file paths found by another engine,
 * such as ripgrep, which cannot be told to read `.herdignore` in every folder. Ignore files are read once per
 * folder.
 */
export function createWorkspaceIgnoreFilter(options: {
  jail: WorkspaceJail;
  /** Absolute directory (or file) the search started from, already resolved by the jail. */
  start: string;
}): WorkspaceIgnoreFilter {
  const { jail, start } = options;
  const startRelative = jail.toRelative(start);
  const startBase = startRelative === '.' ? '' : startRelative;
  const layersByFolder = new Map<string, Promise<IgnoreLayer[]>>();
  const hiddenFolders = new Map<string, Promise<boolean>>();

  // The layers that apply to the entries of a folder: its own and every ancestor's, as the walker stacks them.
  const layersFor = (folder: string): Promise<IgnoreLayer[]> => {
    let layers = layersByFolder.get(folder);
    if (!layers) {
      layers = (async () => {
        const inherited = folder === '' ? [] : await layersFor(parentOf(folder));
        const own = await readWorkspaceIgnoreLayer({ jail, base: folder });
        return own ? [...inherited, own] : inherited;
      })();
      layersByFolder.set(folder, layers);
    }
    return layers;
  };

  const isBelowStart = (relative: string): boolean =>
    startBase === '' ? relative !== '' : relative.startsWith(`${startBase}/`);

  // Like the walker, only entries below the start are judged; the start itself was chosen by the caller.
  const hidden = async (relative: string, directory: boolean): Promise<boolean> => {
    if (!isBelowStart(relative)) return false;
    const parent = parentOf(relative);
    if (await hiddenFolder(parent)) return true;
    const name = path.posix.basename(relative);
    if (['.git', '.herd'].includes(foldName(name)) || isHerdTemporaryName(name)) return true;
    if (isIgnoredByLayers({ layers: await layersFor(parent), relative, directory })) return true;
    return jail.deniedBy(relative) !== undefined;
  };

  const hiddenFolder = (folder: string): Promise<boolean> => {
    let verdict = hiddenFolders.get(folder);
    if (!verdict) {
      verdict = hidden(folder, true);
      hiddenFolders.set(folder, verdict);
    }
    return verdict;
  };

  return { hides: (relative) => hidden(relative, false) };
}
