import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitStatus } from '../../src/context/selection/git-status.js';
import { listIgnoredPaths } from '../../src/context/selection/list-ignored-paths.js';
import { createRepository } from './pack-fixture.js';

/** A work tree that ignores files in every way git has: whole directories, contents only, negations, nesting. */
function ignoringWorkTree(): string {
  const root = createRepository(
    {
      '.gitignore': [
        'build/',
        '*.log',
        'src/gen/*',
        '!src/gen/keep.txt',
        'deep/**/secret',
        'keep/sub/*.tmp',
        'tracked/',
        'negated/*',
        '!negated/kept',
        '',
      ].join('\n'),
      'src/a.ts': 'export const a = 1;\n',
      'tracked/in-index.txt': 'tracked before the rule\n',
    },
    { git: true },
  );
  const files = [
    'build/x/y.js',
    'logs/a.log',
    'top.log',
    'src/gen/one.js',
    'src/gen/keep.txt',
    'deep/n1/n2/secret/f',
    // A directory no pattern ignores, all of whose contents are.
    'keep/sub/a.tmp',
    'keep/sub/b.tmp',
    'all-logs/x/a.log',
    'all-logs/y/b.log',
    'all-logs/c.log',
    // An ignored directory that holds a tracked file.
    'tracked/other.txt',
    'tracked/inner/q.txt',
    'negated/drop',
    'negated/kept/a',
    'untracked/d/z.log',
    'untracked/d/ok.txt',
    'sp ace.log',
  ];
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), 'x\n');
  }
  return root;
}

describe('listIgnoredPaths', () => {
  it('lists what git status --ignored=matching lists, in every way a path can be ignored', async () => {
    const root = ignoringWorkTree();
    const status = await readGitStatus(root);
    const fromStatus = status!.entries.filter((entry) => entry.kind === '!').map((entry) => `${entry.path}`);
    const listed = (await listIgnoredPaths(root))!.map(String);
    expect(listed.sort()).toEqual(fromStatus.sort());
    expect(listed).toEqual(
      expect.arrayContaining([
        'build/',
        'deep/n1/n2/secret/',
        'keep/sub/a.tmp',
        'all-logs/x/a.log',
        'sp ace.log',
      ]),
    );
    expect(listed).not.toContain('keep/');
    expect(listed).not.toContain('all-logs/');
  });

  it('lists the paths under a directory of the work tree relative to it', async () => {
    const root = ignoringWorkTree();
    const status = await readGitStatus(join(root, 'keep'));
    const fromStatus = status!.entries
      .filter((entry) => entry.kind === '!' && `${entry.path}`.startsWith('keep/'))
      .map((entry) => `${entry.path}`.slice('keep/'.length));
    expect((await listIgnoredPaths(join(root, 'keep')))!.map(String).sort()).toEqual(fromStatus.sort());
    expect(fromStatus).toEqual(['sub/a.tmp', 'sub/b.tmp']);
  });

  it('is undefined outside a git work tree', async () => {
    const root = createRepository({ 'a.ts': 'export const a = 1;\n' }, { git: false });
    expect(await listIgnoredPaths(root)).toBeUndefined();
  });
});
