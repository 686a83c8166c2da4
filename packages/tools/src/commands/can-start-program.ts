import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
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
 * Whether `program` can be started: a path (relative to `cwd`) to an executable file, or a name found in one of
 * the `searchPath` directories (the command's PATH, or execvp's default when it has none), as execvp would look. Used before starting a program through a launcher (unshare,
 * bwrap), whose own "cannot execute" would otherwise look like the program's exit code.
 */
export async function canStartProgram(options: {
  program: string;
  searchPath: string | undefined;
  cwd: string;
}): Promise<boolean> {
  const { program, searchPath, cwd } = options;
  if (program.includes('/')) return executable(path.resolve(cwd, program));
  // Without PATH, execvp searches the C library's default, /bin and /usr/bin.
  for (const directory of (searchPath ?? '/bin:/usr/bin').split(path.delimiter)) {
    if (directory && (await executable(path.resolve(cwd, directory, program)))) return true;
  }
  return false;
}
