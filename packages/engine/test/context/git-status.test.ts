import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitStatus } from '../../src/context/selection/git-status.js';
import { createRepository } from './pack-fixture.js';

describe('readGitStatus', () => {
  it('reports HEAD, a rename, an untracked file and an ignored directory, with paths from the top', async () => {
    const root = createRepository(
      { '.gitignore': 'dist/\n', 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 1;\n' },
      { git: true },
    );
    execFileSync('git', ['-C', root, 'mv', 'src/a.ts', 'src/renamed.ts']);
    writeFileSync(join(root, 'src/new.ts'), 'export const n = 1;\n');
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/out.js'), 'built\n');

    const status = await readGitStatus(join(root, 'src'));
    expect(status?.prefix).toBe('src/');
    expect(status?.head).toMatch(/^[0-9a-f]{40}$/);
    const entries = status!.entries.map((entry) => [entry.kind, entry.path.toString()]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['2', 'src/renamed.ts'],
        ['?', 'src/new.ts'],
        ['!', 'dist/'],
      ]),
    );
    expect(status!.entries.find((entry) => entry.kind === '2')?.record).toContain('\0src/a.ts');
  });

  it('has no HEAD in a repository without commits, and is undefined outside git', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'herd-status-'));
    execFileSync('git', ['-C', fresh, 'init', '-q']);
    writeFileSync(join(fresh, 'a.ts'), 'a\n');
    const status = await readGitStatus(fresh);
    expect(status?.head).toBeUndefined();
    expect(status?.entries.map((entry) => entry.path.toString())).toEqual(['a.ts']);
    const outside = mkdtempSync(join(tmpdir(), 'herd-status-'));
    expect(await readGitStatus(outside)).toBeUndefined();
  });
});
