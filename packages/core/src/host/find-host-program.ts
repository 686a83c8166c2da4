import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from '../errors/system-error.js';
import { isWithin, realLocation } from './real-location.js';

/** A program Herd runs on the host, and the search path its own children get. */
export interface HostProgram {
  /** Absolute path of the program. */
  executable: string;
  /** `PATH` without the entries that were passed over, in their order. */
  searchPath: string;
}

/** Options for {@link findHostProgram}. */
export interface FindHostProgramOptions {
  /** The directory the model can write (and the program runs in). */
  workspace: string;
  /** `PATH` as Herd was given it. Default `process.env.PATH`. */
  searchPath?: string | undefined;
}

/**
 * No program of that name outside the workspace: code `<name>_unavailable` (`git_unavailable`, `bwrap_unavailable`,
 * `rg_unavailable`), with the files of that name that were passed over because a model could have put them there.
 */
export class HostProgramUnavailableError extends SystemError {
  /** The program's file name. */
  readonly program: string;
  /** Executable files of that name on a relative `PATH` entry or in the workspace, which Herd never runs. */
  readonly passedOver: readonly string[];

  constructor(options: { program: string; workspace: string; passedOver: readonly string[] }) {
    const { program, workspace, passedOver } = options;
    const skipped =
      passedOver.length > 0
        ? ` (passed over ${passedOver.slice(0, 3).join(', ')}${passedOver.length > 3 ? ', ...' : ''}: a ${program} inside the workspace, or on a relative PATH entry, is never run)`
        : '';
    super({
      code: `${program}_unavailable`,
      message: `No ${program} was found on PATH outside ${workspace}${skipped}; install ${program} or put its directory on PATH.`,
    });
    this.program = program;
    this.passedOver = passedOver;
  }
}

const found = new Map<string, Promise<HostProgram>>();

/**
 * Finds a program Herd itself runs on the host: git, and the sandbox's own programs (bubblewrap, unshare, setpriv)
 * and ripgrep, which run outside any sandbox. `PATH` is searched as a shell would, except for the entries where a
 * model could have put a program of that name: relative ones (`./node_modules/.bin`, which `npx` and `pnpm exec`
 * put first, `.`, and an empty entry: they mean the directory Herd runs in) and any inside the workspace, by its
 * path as given or with links resolved (its `node_modules/.bin`, which package-manager scripts put first, `.herd`,
 * a link elsewhere that leads into it). A program whose real path leads into the workspace is passed over too.
 * Cached per name, `PATH` and workspace.
 *
 * @param name the program's file name, e.g. `git`.
 * @throws HostProgramUnavailableError `<name>_unavailable` (`git_unavailable`) when none is found outside the
 *   workspace.
 */
export function findHostProgram(name: string, options: FindHostProgramOptions): Promise<HostProgram> {
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

/** Whether `candidate` is an executable regular file (following links). */
async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    await access(candidate, constants.X_OK);
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

async function search(name: string, workspace: string, searchPath: string): Promise<HostProgram> {
  const given = path.resolve(workspace);
  const reach = realLocation(workspace);
  const inReach = (target: string) =>
    isWithin(path.resolve(target), given) ||
    isWithin(path.resolve(target), reach) ||
    isWithin(realLocation(target), reach);
  const trusted: string[] = [];
  const passedOver: string[] = [];
  for (const entry of searchPath.split(path.delimiter)) {
    if (trusted.includes(entry)) continue;
    if (!path.isAbsolute(entry) || inReach(entry)) {
      const candidate = path.join(entry || '.', name);
      if (await isExecutableFile(candidate)) passedOver.push(candidate);
      continue;
    }
    trusted.push(entry);
  }
  for (const directory of trusted) {
    const candidate = path.join(directory, name);
    if (!(await isExecutableFile(candidate))) continue;
    const real = await realpath(candidate).catch(() => undefined);
    if (real === undefined || isWithin(real, reach)) {
      passedOver.push(candidate);
      continue;
    }
    return { executable: candidate, searchPath: trusted.join(path.delimiter) };
  }
  throw new HostProgramUnavailableError({ program: name, workspace, passedOver });
}
