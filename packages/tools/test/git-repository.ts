import { execFileSync } from 'node:child_process';

/** Runs git in a test repository with a fixed identity; returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
}

/** Makes `root` a git repository with everything in it committed on `main`. */
export function initRepository(root: string): void {
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  // maintenance.auto=false: a commit otherwise starts `git maintenance run --auto`, one more process per fixture.
  git(root, '-c', 'maintenance.auto=false', 'commit', '-q', '-m', 'initial');
}
