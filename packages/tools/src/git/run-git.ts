import { SystemError } from '@herd/core/errors';
import { type HostGitOptions, runHostGit } from './run-host-git.js';

/** Options for {@link runGit}. */
export type RunGitOptions = Omit<HostGitOptions, 'input'> & { input?: string };

/**
 * Runs git on the host through {@link runHostGit} (nothing the repository configures runs) and returns stdout as
 * text.
 *
 * @throws SystemError `git_failed` naming git's first line of complaint when git exits non-zero.
 */
export async function runGit(options: RunGitOptions): Promise<string> {
  const result = await runHostGit(options);
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
    throw new SystemError({
      code: 'git_failed',
      message: `git ${options.args.slice(0, 2).join(' ')} failed (${detail}).`,
      hint: 'Check that git is installed and the workspace is readable.',
    });
  }
  return result.stdout.toString('utf8');
}
