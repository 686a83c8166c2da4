import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from '@herd/core';
import { isWithin, realLocation } from './real-location.js';

/** A program Herd runs on the host, and the search path its own children get. */
export interface HostProgram {
  /** Absolute path of the program. */
  executable: string;
  /** `PATH` without the entries that were passed over, in their order. */
  searchPath: string;
}

const found = new Map<string, Promise<HostProgram>>();

/**
 * Finds a program Herd runs on the host (git; bubblewrap, unshare and ripgrep should be found the same way). `PATH`
 * is searched as a shell would, except for the entries where a model could have put a program of that name:
 * relative ones (`./node_modules/.bin`, which `npx` and `pnpm exec` put first, and an empty entry: both mean the
 * directory the program runs in) and any inside the workspace (its `node_modules/.bin`, which package-manager
 * scripts put first). A program whose real path leads into the workspace is passed over too. Cached per name,
 * `PATH` and workspace.
 *
 * @param name the program's file name, e.g. `git`.
 * @param options.workspace the directory the model can write (and the program runs in).
 * @param options.searchPath `PATH` as Herd was given it. Default `process.env.PATH`.
 * @throws SystemError `<name>_unavailable` (`git_unavailable`) when none is found outside the workspace.
 */
export function findHostProgram(
  name: string,
  options: { workspace: string; searchPath?: string | undefined },
): Promise<HostProgram> {
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const key = `${name}\0${searchPath}\0${options.workspace}`;
  let result = found.get(key);
  if (!result) {
    result = search(name, options.workspace, searchPath);
    // A failed search (the program installed later) is retried next time.
    result.catch(() => found.delete(key));
    found.set(key, result);
  }
  return result;
}

async function search(name: string, workspace: string, searchPath: string): Promise<HostProgram> {
  const reach = realLocation(workspace);
  const trusted: string[] = [];
  for (const entry of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(entry) || trusted.includes(entry)) continue;
    if (isWithin(path.resolve(entry), reach) || isWithin(realLocation(entry), reach)) continue;
    trusted.push(entry);
  }
  for (const directory of trusted) {
    const candidate = path.join(directory, name);
    try {
      await access(candidate, constants.X_OK);
      if (!(await stat(candidate)).isFile() || isWithin(await realpath(candidate), reach)) continue;
      return { executable: candidate, searchPath: trusted.join(path.delimiter) };
    } catch {}
  }
  throw new SystemError({
    code: `${name}_unavailable`,
    message: `No ${name} was found on PATH outside ${workspace} (a ${name} inside the workspace, or on a relative PATH entry, is never run); install ${name} or put its directory on PATH.`,
  });
}
