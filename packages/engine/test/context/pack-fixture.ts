import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Creates a temporary directory with the given files (path → content). */
export function createRepository(
  files: Record<string, string | Buffer>,
  options: { git?: boolean } = {},
): string {
  const root = mkdtempSync(join(tmpdir(), 'herd-pack-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (options.git) {
    // Files older than the index, as in a checkout that is not brand new: git otherwise rewrites the index on every
    // status while their times fall in the index's second ("racily clean" entries), and a kept pack is not reused.
    const past = new Date(Date.now() - 60_000);
    for (const path of Object.keys(files)) utimesSync(join(root, path), past, past);
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    // maintenance.auto=false: a commit otherwise starts `git maintenance run --auto`, one more process.
    const options = ['-c', 'maintenance.auto=false', '-c', 'user.name=t', '-c', 'user.email=t@example.com'];
    git(...options, 'commit', '-q', '-m', 'init');
  }
  return root;
}
