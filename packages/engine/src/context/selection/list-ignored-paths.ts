import { runHostGit } from '@herd/tools/git';

// How `ls-files` names the directory it runs in.
const itself = Buffer.from('./');

/**
 * The paths git ignores under `root` (relative to it; a directory ignored as a whole ends with `/` and stands for
 * everything under it), as `git status --ignored=matching` prints them; `undefined` when git fails.
 *
 * Listed by `git ls-files --others --ignored --exclude-standard --directory` rather than by `git status`, so that the
 * status of a pack can go through Herd's copy of the index with its untracked cache (git uses no untracked cache for
 * a status that lists ignored paths, and fills none): one walk of the work tree for the status, and this walk, which
 * reads no file's stat data, beside it. The two listings differ in one case: a directory that no pattern ignores but
 * whose contents all are is listed by `ls-files` as well as its contents; status lists the contents only, and so does
 * this (a directory is dropped when anything is listed under it).
 */
export async function listIgnoredPaths(root: string): Promise<Buffer[] | undefined> {
  let stdout: Buffer;
  try {
    const result = await runHostGit({
      args: ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'],
      cwd: root,
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (result.exitCode !== 0) return undefined;
    stdout = result.stdout;
  } catch {
    return undefined;
  }
  const paths: Buffer[] = [];
  let start = 0;
  for (let end = stdout.indexOf(0); end !== -1; end = stdout.indexOf(0, start)) {
    const path = stdout.subarray(start, end);
    // `./` is the root itself, listed when it is a directory git does not track whose contents it all ignores.
    if (path.length > 0 && !path.equals(itself)) paths.push(path);
    start = end + 1;
  }
  // In byte order, whatever lies under a directory comes right after it.
  paths.sort(Buffer.compare);
  return paths.filter((path, index) => {
    if (path.at(-1) !== 47) return true;
    const next = paths[index + 1];
    return !(next && next.length > path.length && next.subarray(0, path.length).equals(path));
  });
}
