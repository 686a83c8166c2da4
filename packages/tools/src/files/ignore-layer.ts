import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { readAtMost } from './read-at-most.js';

/** The gitignore-syntax rules of one directory's `.gitignore` and `.herdignore`, read together. */
export interface IgnoreLayer {
  /** Workspace-relative directory the rules are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

/** The ignore files every file tool honors, in every directory of the workspace. */
export const ignoreFileNames: readonly string[] = ['.gitignore', '.herdignore'];

/** How much of one ignore file is read; rules past it are left out (real ignore files are a few kilobytes). */
export const ignoreFileLimitBytes = 1024 * 1024;

/**
 * The text of one ignore file in a folder, or '' when there is none usable. Like git (2.32 and later), a symlink
 * is not followed: a repository can hold `sub/.gitignore -> /dev/zero`, and a command can leave a FIFO there,
 * which a plain read would wait on forever (holding one of the few threads every file operation of the process
 * shares). Only a regular file is read, and only its first {@link ignoreFileLimitBytes}.
 */
async function readIgnoreFile(location: string): Promise<string> {
  const handle = await open(location, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!handle) return '';
  try {
    if (!(await handle.stat()).isFile()) return '';
    const { bytes, complete } = await readAtMost(handle, ignoreFileLimitBytes);
    const text = bytes.toString('utf8');
    // A file cut at the limit keeps its whole lines only.
    return complete ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  } catch {
    return '';
  } finally {
    await handle.close();
  }
}

/**
 * The text of a folder's ignore files (see {@link ignoreFileNames}) joined, '' when it has none.
 *
 * @param directory a path naming the folder, best a held folder's `path`, so a folder swapped for a symlink
 *   meanwhile cannot lend its rules.
 */
export async function readIgnoreText(directory: string): Promise<string> {
  const texts = await Promise.all(ignoreFileNames.map((name) => readIgnoreFile(`${directory}/${name}`)));
  return texts.join('\n');
}

/** Reads the ignore files of one directory; undefined when it has none (or only blank ones). */
export async function readIgnoreLayer(options: {
  /** A path naming the directory holding the ignore files (best a held folder's). */
  directory: string;
  /** The same directory, workspace-relative ('' for the root). */
  base: string;
}): Promise<IgnoreLayer | undefined> {
  const { directory, base } = options;
  const text = await readIgnoreText(directory);
  if (!text.trim()) return undefined;
  return { base, rules: ignore().add(text) };
}

/**
 * Reads the ignore files of a workspace folder through the folder held open by the jail (undefined when it has
 * none, or is not a folder at that path any more).
 */
export async function readWorkspaceIgnoreLayer(options: {
  jail: WorkspaceJail;
  /** Workspace-relative folder ('' for the root). */
  base: string;
}): Promise<IgnoreLayer | undefined> {
  const { jail, base } = options;
  const shown = base || '.';
  const folder = await jail.openDirectory({ relative: shown, path: shown }).catch(() => undefined);
  if (!folder) return undefined;
  try {
    return await readIgnoreLayer({ directory: folder.path, base });
  } finally {
    await folder.close();
  }
}

/**
 * Whether any layer ignores a workspace-relative path. Each layer is judged on its own, so a `!pattern` in a
 * deeper folder cannot bring back what a shallower one ignores.
 */
export function isIgnoredByLayers(options: {
  layers: readonly IgnoreLayer[];
  relative: string;
  directory: boolean;
}): boolean {
  const { layers, relative, directory } = options;
  return layers.some((layer) => {
    const local = layer.base ? relative.slice(layer.base.length + 1) : relative;
    return local !== '' && layer.rules.ignores(directory ? `${local}/` : local);
  });
}
