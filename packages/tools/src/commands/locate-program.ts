import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const executable = async (candidate: string): Promise<boolean> => {
  try {
    await access(candidate, constants.X_OK);
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
};

/**
 * The file execvp would start for `program`, with every link resolved: a path (relative to `cwd`) to an executable
 * file, or the first executable of that name in the `searchPath` directories (the command's PATH, or execvp's
 * default when it has none; relative and empty entries count from `cwd`). Undefined when there is none. Used before starting
 * a program through a launcher (unshare, bwrap), whose own "cannot execute" would otherwise look like the
 * program's exit code, and to tell whether a program allowed by its name is a file in the workspace.
 */
export async function locateProgram(options: {
  program: string;
  searchPath: string | undefined;
  cwd: string;
}): Promise<string | undefined> {
  const { program, searchPath, cwd } = options;
  const candidates = program.includes('/')
    ? [path.resolve(cwd, program)]
    : // Without PATH, execvp searches the C library's default, /bin and /usr/bin; an empty entry is `cwd`.
      (searchPath ?? '/bin:/usr/bin')
        .split(path.delimiter)
        .map((directory) => path.resolve(cwd, directory, program));
  for (const candidate of candidates) {
    if (await executable(candidate)) return await realpath(candidate).catch(() => candidate);
  }
  return undefined;
}
