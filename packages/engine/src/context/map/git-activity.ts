import { runHostGit } from '@herd/tools/git';

/**
 * How recently and often each path changed in the last `commits` commits, as a score in [0, ∞): each commit
 * touching a file adds a weight that halves every 50 commits back. Empty outside a git work tree.
 */
export async function gitActivity(options: { root: string; commits?: number }): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  try {
    // Through runHostGit: no signature check, pager or other program the repository names runs.
    const result = await runHostGit({
      args: [
        'log',
        `-n${options.commits ?? 300}`,
        '--name-only',
        '--relative',
        '--no-show-signature',
        '--format=%x00',
      ],
      cwd: options.root,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.exitCode !== 0) return scores;
    const stdout = result.stdout.toString('utf8');
    let commit = -1;
    for (const line of stdout.split('\n')) {
      if (line.startsWith('\0')) {
        commit++;
        continue;
      }
      if (!line) continue;
      scores.set(line, (scores.get(line) ?? 0) + 0.5 ** (Math.max(commit, 0) / 50));
    }
  } catch {
    // Not a git work tree, or no commits yet: no activity signal.
  }
  return scores;
}
