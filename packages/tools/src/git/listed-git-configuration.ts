import path from 'node:path';
import { GuardError, isWithin, realLocation } from '@herd/core';

/** One entry of `git config --list --show-origin -z`. */
export interface ListedConfigEntry {
  /** Where git read it: `file:<path>` (relative to the directory git ran in, or absolute), `command line:`, ... */
  origin: string;
  /** The key as git prints it (section and key in lower case, subsection as written). */
  name: string;
  /** The value, or undefined for a key written without one. */
  value: string | undefined;
}

/** Parses `git config --list --show-origin -z`: origin NUL, then key LF value (or the key alone) NUL. */
export function parseListedConfig(output: string): ListedConfigEntry[] {
  const fields = output.split('\0');
  const entries: ListedConfigEntry[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const origin = fields[index]!;
    const entry = fields[index + 1]!;
    const newline = entry.indexOf('\n');
    entries.push(
      newline === -1
        ? { origin, name: entry, value: undefined }
        : { origin, name: entry.slice(0, newline), value: entry.slice(newline + 1) },
    );
  }
  return entries;
}

/** Where an include's path leads: `~/` is the home directory, a relative path starts at the including file. */
function includeTarget(value: string, includingFile: string, home: string): string | undefined {
  if (value.startsWith('%(prefix)/')) return undefined;
  if (value === '~' || value.startsWith('~/')) return path.join(home, value.slice(1));
  return path.resolve(path.dirname(includingFile), value);
}

/** The global and system files git reads whether or not they exist yet, in the environment git runs with. */
function defaultConfigFiles(environment: Readonly<Record<string, string>>): string[] {
  const home = environment.HOME ?? '/';
  const files = environment.GIT_CONFIG_GLOBAL
    ? [environment.GIT_CONFIG_GLOBAL]
    : [
        path.join(home, '.gitconfig'),
        path.join(environment.XDG_CONFIG_HOME || path.join(home, '.config'), 'git', 'config'),
      ];
  if (!environment.GIT_CONFIG_NOSYSTEM && environment.GIT_CONFIG_SYSTEM)
    files.push(environment.GIT_CONFIG_SYSTEM);
  return files;
}

/**
 * Refuses configuration that comes, or could come, from a file the model can write. Herd lists what git will read
 * and switches each filter off on the command line, but git reads the files again when the command itself runs: a
 * file inside the workspace (an `include.path` of the repository's, a git directory a `.git` file points at, a
 * home directory or `XDG_CONFIG_HOME` inside the workspace) could gain a filter in between, through a `write_file`
 * or a sandboxed command running at the same time. Only the workspace's own `.git` directory is out of the model's
 * reach inside it (the jail refuses writes there and the sandbox binds it read-only).
 *
 * @param entries the listing ({@link parseListedConfig}).
 * @param cwd where git ran (relative origins start here).
 * @param reach the directory the model can write (the workspace).
 * @param environment the environment git ran with (`HOME`, `XDG_CONFIG_HOME`, `GIT_CONFIG_*`).
 * @throws GuardError `git_config_unsafe` naming the first such file.
 */
export function assertConfigurationOutOfReach(options: {
  entries: readonly ListedConfigEntry[];
  cwd: string;
  reach: string;
  environment: Readonly<Record<string, string>>;
}): void {
  const { entries, cwd, environment } = options;
  const reach = realLocation(options.reach);
  const gitDirectory = path.join(reach, '.git');
  const home = environment.HOME ?? '/';
  const candidates = defaultConfigFiles(environment);
  for (const entry of entries) {
    if (!entry.origin.startsWith('file:')) continue;
    const file = path.resolve(cwd, entry.origin.slice('file:'.length));
    candidates.push(file);
    const name = entry.name.toLowerCase();
    const isInclude = name === 'include.path' || (name.startsWith('includeif.') && name.endsWith('.path'));
    const target = isInclude && entry.value ? includeTarget(entry.value, file, home) : undefined;
    if (target) candidates.push(target);
  }
  for (const candidate of new Set(candidates)) {
    const real = realLocation(candidate);
    if (!isWithin(real, reach) || isWithin(real, gitDirectory)) continue;
    throw new GuardError({
      code: 'git_config_unsafe',
      message: `git here reads configuration from ${candidate}, inside the workspace where the model can change it between Herd's check and git's use, so Herd runs no git in this repository; keep git configuration (include.path, the home directory, XDG_CONFIG_HOME, a separate git directory) outside the workspace.`,
      scanner: 'git',
    });
  }
}
