import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const statOrUndefined = async (target: string) => {
  try {
    return await lstat(target);
  } catch {
    return undefined;
  }
};

/** Whether `.git` at this path is something git would take for a repository: a gitfile, or a directory with HEAD. */
async function looksLikeGitDirectory(dotGit: string): Promise<boolean> {
  const entry = await statOrUndefined(dotGit);
  if (entry?.isFile()) {
    try {
      return (await readFile(dotGit, 'utf8')).startsWith('gitdir: ');
    } catch {
      return false;
    }
  }
  return entry?.isDirectory() === true && (await statOrUndefined(path.join(dotGit, 'HEAD'))) !== undefined;
}

/**
 * Whether git, started in `directory`, would find a work tree around it: walks up as git's discovery does and
 * stops, answering false, where git would also give up or refuse (a filesystem boundary, a repository owned by
 * another user). Errs towards false: the command policy then asks instead of allowing `git diff`, which outside a
 * work tree compares any two files on disk.
 */
export async function isInsideGitWorkTree(directory: string): Promise<boolean> {
  const uid = process.getuid?.();
  let current = path.resolve(directory);
  let device: number | undefined;
  for (;;) {
    let here: Awaited<ReturnType<typeof stat>>;
    try {
      here = await stat(current);
    } catch {
      return false;
    }
    device ??= here.dev;
    if (here.dev !== device) return false;
    if (await looksLikeGitDirectory(path.join(current, '.git'))) return uid === undefined || here.uid === uid;
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}
