import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin, promptGuardRepository, trustConfig } from '../cli/herd-cli.js';

beforeAll(assertBuilt);

// Herd keeps the guard's findings in the workspace's .herd, and a repository can ship a .herd of its own: committed,
// or in an archive. Its author has Herd too, so the findings it ships can be real files written by Herd, then edited
// to say "clean". None of them may decide what Prompt Guard thinks of the repository on another user's machine.
describe('a guard cache shipped in the repository (subprocess)', () => {
  it('does not stop Prompt Guard from scanning the files it says are clean', async () => {
    const workspace = promptGuardRepository(1);
    const user = (name: string) => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), `herd-cache-${name}-`)),
      XDG_STATE_HOME: mkdtempSync(join(tmpdir(), `herd-state-${name}-`)),
    });
    const scan = async (env: NodeJS.ProcessEnv) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [herdBin, 'guard', 'scan', '--json', '--point', 'repo_content', 'notes.md'],
        { cwd: workspace, env },
      );
      const report = JSON.parse(stdout) as {
        items: { path: string; results: { scanner: string; score: number | null }[] }[];
      };
      return report.items[0]?.results.find((result) => result.scanner === 'prompt_guard')?.score ?? null;
    };
    // The author scans with Herd, then rewrites every finding Herd kept to say the content is clean.
    const author = user('author');
    await trustConfig(workspace, author);
    expect(await scan(author)).toBeGreaterThan(0.5);
    const cache = join(workspace, '.herd', 'cache', 'guard');
    const files = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) =>
      entry.isFile(),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      writeFileSync(
        join(file.parentPath, file.name),
        JSON.stringify({ score: 0, categories: [], spans: [] }),
      );
    expect(await scan(author)).toBe(0);
    // Another user runs Herd on the repository as shipped: Prompt Guard scans it.
    const victim = user('victim');
    await trustConfig(workspace, victim);
    expect(await scan(victim)).toBeGreaterThan(0.5);
  });
});
