import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * How recently and often each path changed in the last `commits` commits, as a score in [0, ∞): each commit
 * touching a file adds a weight that halves every 50 commits back. Empty outside a git work tree.
 */
export async function gitActivity(options: { root: string; commits?: number }): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  try {
    const { stdout } = await execFileAsync(
      'git',
      [
        '-C',
        options.root,
        'log',
        `-n${options.commits ?? 300}`,
        '--name-only',
        '--relative',
        '--format=%x00',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
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
