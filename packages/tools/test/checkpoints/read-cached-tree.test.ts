import { execFileSync } from 'node:child_process';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../../src/checkpoints/checkpoint-store.js';
import { readCachedTree } from '../../src/checkpoints/read-cached-tree.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

/** git with its own repository in `directory`, the work tree `root` and the index `index`. */
const gitIn = (directory: string, root: string, index: string) => (args: string[], input?: string) =>
  execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    input,
    env: {
      PATH: process.env.PATH,
      GIT_DIR: directory,
      GIT_WORK_TREE: root,
      GIT_INDEX_FILE: index,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();

describe('readCachedTree', () => {
  it('gives the tree of the workspace after each change, as a fresh index of it has', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      'a.txt': 'a\n',
      'src/b.ts': 'b\n',
      'src/deep/c.ts': 'c\n',
      'bin/run.sh': '#!/bin/sh\n',
    });
    const directory = path.join(parent, 'shadow');
    const store = createCheckpointStore({ workspace: root, directory });
    const fresh = gitIn(directory, root, path.join(parent, 'fresh-index'));
    const changes: (() => Promise<void>)[] = [
      async () => {},
      () => writeFile(path.join(root, 'a.txt'), 'a changed\n'),
      // Same content written again: a new modification time only.
      () => writeFile(path.join(root, 'a.txt'), 'a changed\n'),
      () => chmod(path.join(root, 'bin/run.sh'), 0o755),
      () => rm(path.join(root, 'src/deep/c.ts')),
      async () => {
        await mkdir(path.join(root, 'new/deeper'), { recursive: true });
        await writeFile(path.join(root, 'new/deeper/d.txt'), 'd\n');
      },
      async () => {
        await rm(path.join(root, 'src/b.ts'));
        await mkdir(path.join(root, 'src/b.ts'));
        await writeFile(path.join(root, 'src/b.ts/inside.txt'), 'a folder where a file was\n');
      },
      () => symlink('a.txt', path.join(root, 'link')),
      () => writeFile(path.join(root, 'empty.txt'), ''),
    ];
    for (const change of changes) {
      await change();
      const checkpoint = await store.create({ label: 'after a change' });
      await rm(path.join(parent, 'fresh-index'), { force: true });
      fresh(['add', '--all']);
      const expected = fresh(['write-tree']);
      expect(fresh(['rev-parse', `${checkpoint.id}^{tree}`])).toBe(expected);
      // Nothing changed since: the next snapshot reads the same tree from the index.
      expect(await readCachedTree(path.join(directory, 'index'))).toBe(expected);
    }
  });

  it('reads past entries with extended flags (index version 3) and paths of 4095 bytes or more', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const directory = path.join(parent, 'repository');
    const index = path.join(parent, 'index');
    const git = gitIn(directory, root, index);
    git(['init', '--quiet', '--template=']);
    git(['add', '--all']);
    const blob = git(['hash-object', '-w', '--stdin'], 'long\n');
    const long = `${'d'.repeat(200)}/`.repeat(21).concat('file.txt');
    git(['update-index', '--add', '--cacheinfo', `100644,${blob},${long}`]);
    git(['update-index', '--skip-worktree', 'b.txt']);
    const tree = git(['write-tree']);
    expect(await readCachedTree(index)).toBe(tree);
    expect(git(['ls-tree', '-r', '--name-only', tree]).split('\n')).toContain(long);
  });

  it('is undefined once an entry changed, and for an index it does not read', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'repository');
    const index = path.join(parent, 'index');
    const git = gitIn(directory, root, index);
    git(['init', '--quiet', '--template=']);
    git(['add', '--all']);
    expect(await readCachedTree(index)).toBeUndefined();
    git(['write-tree']);
    expect(await readCachedTree(index)).toMatch(/^[0-9a-f]{40}$/);
    await writeFile(path.join(root, 'a.txt'), 'changed\n');
    git(['add', '--all']);
    expect(await readCachedTree(index)).toBeUndefined();
    git(['write-tree']);
    git(['update-index', '--index-version', '4']);
    expect(await readCachedTree(index)).toBeUndefined();
    await writeFile(path.join(parent, 'not-an-index'), 'DIRC but nothing else');
    expect(await readCachedTree(path.join(parent, 'not-an-index'))).toBeUndefined();
    expect(await readCachedTree(path.join(parent, 'missing'))).toBeUndefined();
  });
});
