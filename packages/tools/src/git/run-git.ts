import { SystemError } from '@herd/core';
import { execa } from 'execa';

/** Options for {@link runGit}. */
export interface RunGitOptions {
  args: readonly string[];
  cwd: string;
  /** Extra environment; the rest is a minimal, GIT_*-free environment. */
  environment?: Record<string, string>;
  signal?: AbortSignal;
  /** Bytes of stdout kept. Default 16 MB. */
  maxBuffer?: number;
}

/**
 * Runs git with a minimal environment (no inherited GIT_* variables, no pager, no optional locks, no fsmonitor
 * hook) and returns stdout.
 *
 * @throws SystemError when git is missing or exits non-zero.
 */
export async function runGit(options: RunGitOptions): Promise<string> {
  const result = await execa('git', ['-c', 'core.fsmonitor=false', '-c', 'core.pager=cat', ...options.args], {
    cwd: options.cwd,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      LANG: 'C',
      GIT_OPTIONAL_LOCKS: '0',
      GIT_TERMINAL_PROMPT: '0',
      ...options.environment,
    },
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (result.exitCode !== 0) {
    const detail = String(result.stderr || result.shortMessage)
      .trim()
      .split('\n')[0];
    throw new SystemError({
      code: 'git_failed',
      message: `git ${options.args.slice(0, 2).join(' ')} failed (${detail}).`,
      hint: 'Check that git is installed and the workspace is readable.',
    });
  }
  return String(result.stdout);
}
