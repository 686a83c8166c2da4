import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../../src/checkpoints/checkpoint-store.js';
import { git, initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const storeFor = (root: string, parent: string) =>
  createCheckpointStore({ workspace: root, directory: path.join(parent, 'shadow') });

describe('createCheckpointStore', () => {
  it('restores modified, deleted and new files exactly, including modes and nested folders', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      'a.txt': 'one\r\n',
      'src/b.ts': 'b',
      'bin/run.sh': '#!/bin/sh\n',
    });
    await chmod(path.join(root, 'bin/run.sh'), 0o755);
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'before edit' });
    await writeFile(path.join(root, 'a.txt'), 'changed\n');
    await rm(path.join(root, 'src/b.ts'));
    await chmod(path.join(root, 'bin/run.sh'), 0o644);
    await mkdir(path.join(root, 'new/deep'), { recursive: true });
    await writeFile(path.join(root, 'new/deep/c.txt'), 'new');
    const result = await store.restore(checkpoint.id);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('one\r\n');
    expect(await readFile(path.join(root, 'src/b.ts'), 'utf8')).toBe('b');
    expect((await stat(path.join(root, 'bin/run.sh'))).mode & 0o111).not.toBe(0);
    expect(existsSync(path.join(root, 'new'))).toBe(false);
    expect(result.removed).toEqual(['new/deep/c.txt']);
    expect(result.restored.sort()).toEqual(['a.txt', 'bin/run.sh', 'src/b.ts']);
  });

  it('can undo a restore through the checkpoint it takes first', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'v1' });
    const store = storeFor(root, parent);
    const first = await store.create({ label: 'v1' });
    await writeFile(path.join(root, 'a.txt'), 'v2');
    const { previousId } = await store.restore(first.id);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('v1');
    await store.restore(previousId);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('v2');
  });

  it('never touches the user branch, index, stash or HEAD', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      'tracked.txt': 'base\n',
      '.gitignore': 'build/\n',
    });
    initRepository(root);
    await writeFile(path.join(root, 'tracked.txt'), 'stashed change\n');
    git(root, 'stash', '-q');
    await writeFile(path.join(root, 'tracked.txt'), 'staged change\n');
    git(root, 'add', 'tracked.txt');
    await writeFile(path.join(root, 'tracked.txt'), 'unstaged change\n');
    await writeFile(path.join(root, 'untracked.txt'), 'u');
    const before = {
      head: git(root, 'rev-parse', 'HEAD'),
      branch: git(root, 'branch', '--show-current'),
      status: git(root, 'status', '--porcelain'),
      staged: git(root, 'diff', '--cached'),
      stash: git(root, 'stash', 'list'),
      refs: git(root, 'for-each-ref'),
    };
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'snapshot' });
    await writeFile(path.join(root, 'tracked.txt'), 'model edit\n');
    await store.restore(checkpoint.id);
    expect({
      head: git(root, 'rev-parse', 'HEAD'),
      branch: git(root, 'branch', '--show-current'),
      status: git(root, 'status', '--porcelain'),
      staged: git(root, 'diff', '--cached'),
      stash: git(root, 'stash', 'list'),
      refs: git(root, 'for-each-ref'),
    }).toEqual(before);
    expect(await readFile(path.join(root, 'tracked.txt'), 'utf8')).toBe('unstaged change\n');
  });

  it('leaves ignored files alone and does not snapshot them', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      '.gitignore': 'node_modules/\n',
      'node_modules/x/index.js': 'x',
      'a.txt': 'a',
    });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    await writeFile(path.join(root, 'node_modules/x/index.js'), 'changed');
    await store.restore(checkpoint.id);
    expect(await readFile(path.join(root, 'node_modules/x/index.js'), 'utf8')).toBe('changed');
  });

  it('reuses the last checkpoint when nothing changed and lists checkpoints newest first', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a' });
    const store = storeFor(root, parent);
    const first = await store.create({ label: 'first' });
    expect((await store.create({ label: 'again' })).id).toBe(first.id);
    await writeFile(path.join(root, 'a.txt'), 'b');
    const second = await store.create({ label: 'second' });
    expect((await store.list()).map((checkpoint) => checkpoint.label)).toEqual(['second', 'first']);
    expect(second.id).not.toBe(first.id);
  });

  it('reports the files changed since a checkpoint with diffs', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n', 'gone.txt': 'g\n' });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    await rm(path.join(root, 'gone.txt'));
    await writeFile(path.join(root, 'new.txt'), 'n\n');
    const changes = await store.changes({ since: checkpoint.id });
    expect(changes.map(({ path: file, change }) => [file, change])).toEqual([
      ['a.txt', 'modify'],
      ['gone.txt', 'delete'],
      ['new.txt', 'create'],
    ]);
    expect(changes[0]?.diff).toContain('-a\n+b');
  });

  it('reports no changes when the files are as they were at the checkpoint again', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    expect(await store.changes({ since: checkpoint.id })).toEqual([]);
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    expect((await store.changes({ since: checkpoint.id })).map((change) => change.path)).toEqual(['a.txt']);
    await writeFile(path.join(root, 'a.txt'), 'a\n');
    expect(await store.changes({ since: checkpoint.id })).toEqual([]);
    // Asked by another process, which did not take the checkpoint itself.
    expect(await storeFor(root, parent).changes({ since: checkpoint.id })).toEqual([]);
  });

  it('refuses ids that are not checkpoints of this workspace', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a' });
    const store = storeFor(root, parent);
    await store.create({ label: 'x' });
    await expect(store.restore('--hard')).rejects.toMatchObject({ code: 'checkpoint_unknown' });
    await expect(store.restore('0123456789abcdef0123456789abcdef01234567')).rejects.toMatchObject({
      code: 'checkpoint_unknown',
    });
  });
});

describe('createCheckpointStore and secrets', () => {
  const secrets = {
    '.env': 'API_KEY=sk-secret-env-value\n',
    '.ENV.local': 'OTHER_KEY=sk-secret-upper-value\n',
    'config/credentials.json': '{ "token": "secret-credentials-value" }\n',
    'keys/server.pem': '-----BEGIN PRIVATE KEY-----\nsecret-pem-value\n',
  };

  it('never copies denied files into the store, and a restore leaves them alone', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n', ...secrets });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    const shadow = (...args: string[]) =>
      execFileSync('git', args, {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GIT_DIR: store.directory },
      });
    expect(shadow('ls-tree', '-r', '--name-only', checkpoint.id).split('\n').filter(Boolean)).toEqual([
      'a.txt',
    ]);
    // Not a byte of them in any object of the store.
    const everything = shadow('cat-file', '--batch-all-objects', '--batch');
    for (const value of [
      'sk-secret-env-value',
      'sk-secret-upper-value',
      'secret-credentials-value',
      'secret-pem-value',
    ])
      expect(everything).not.toContain(value);
    await writeFile(path.join(root, '.env'), 'API_KEY=changed\n');
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    await store.restore(checkpoint.id);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('a\n');
    expect(await readFile(path.join(root, '.env'), 'utf8')).toBe('API_KEY=changed\n');
  });

  it('drops denied files an older store had copied from new checkpoints', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n', '.env': 'API_KEY=old\n' });
    const older = createCheckpointStore({
      workspace: root,
      directory: path.join(parent, 'shadow'),
      isDenied: () => false,
    });
    const before = await older.create({ label: 'stored by an older Herd' });
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    const store = storeFor(root, parent);
    const after = await store.create({ label: 'now' });
    const files = git(root, `--git-dir=${store.directory}`, 'ls-tree', '-r', '--name-only', after.id);
    expect(files.split('\n').filter(Boolean)).toEqual(['a.txt']);
    expect(after.id).not.toBe(before.id);
  });

  it('honours the deny rule it is given (the jail passes its own)', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n', 'private/notes.md': 'n\n' });
    const store = createCheckpointStore({
      workspace: root,
      directory: path.join(parent, 'shadow'),
      isDenied: (file) => file.startsWith('private/'),
    });
    const checkpoint = await store.create({ label: 'x' });
    const files = git(root, `--git-dir=${store.directory}`, 'ls-tree', '-r', '--name-only', checkpoint.id);
    expect(files.split('\n').filter(Boolean)).toEqual(['a.txt']);
  });
});

describe('createCheckpointStore keeps exact bytes', () => {
  it('stores and restores bytes exactly whatever the workspace attributes ask for', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      '.gitattributes': '* text=auto eol=lf filter=planted ident\n',
      'crlf.txt': 'one\r\ntwo\r\n',
      'ident.txt': '$Id$\n',
    });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    await writeFile(path.join(root, 'crlf.txt'), 'changed\n');
    await writeFile(path.join(root, 'ident.txt'), 'changed\n');
    await store.restore(checkpoint.id);
    expect(await readFile(path.join(root, 'crlf.txt'), 'utf8')).toBe('one\r\ntwo\r\n');
    expect(await readFile(path.join(root, 'ident.txt'), 'utf8')).toBe('$Id$\n');
  });
});

describe('createCheckpointStore reports diffs', () => {
  it('gives each changed file the diff git prints for it alone, whatever the kind of change or name', async () => {
    const names = [
      'plain.txt',
      'with space.txt',
      'grüße.txt',
      'quote".txt',
      'tab\there.txt',
      'deep/er/file.ts',
    ];
    const { root, parent } = await createTemporaryWorkspace({
      ...Object.fromEntries(names.map((name) => [name, `${name}\none\n`])),
      'becomes-link.txt': 'a file\n',
      'mode.sh': '#!/bin/sh\n',
      'gone.txt': 'gone\n',
      'binary.bin': new Uint8Array([0, 1, 2, 3]),
    });
    const store = storeFor(root, parent);
    const checkpoint = await store.create({ label: 'x' });
    for (const name of names) await writeFile(path.join(root, name), `${name}\ntwo\n`);
    await rm(path.join(root, 'becomes-link.txt'));
    await symlink('plain.txt', path.join(root, 'becomes-link.txt'));
    await chmod(path.join(root, 'mode.sh'), 0o755);
    await rm(path.join(root, 'gone.txt'));
    await writeFile(path.join(root, 'binary.bin'), new Uint8Array([0, 9, 9, 9]));
    await writeFile(path.join(root, 'new.txt'), 'new\n');
    const changes = await store.changes({ since: checkpoint.id });
    expect(changes.map((change) => change.path).sort()).toEqual(
      [...names, 'becomes-link.txt', 'mode.sh', 'gone.txt', 'binary.bin', 'new.txt'].sort(),
    );
    const tree = execFileSync('git', ['write-tree'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GIT_DIR: store.directory },
    }).trim();
    for (const change of changes) {
      const alone = execFileSync(
        'git',
        [
          'diff',
          '--no-ext-diff',
          '--no-textconv',
          '--no-color',
          checkpoint.id,
          tree,
          '--',
          `:(literal)${change.path}`,
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, GIT_DIR: store.directory, GIT_CONFIG_NOSYSTEM: '1' },
        },
      );
      expect(change.diff).toBe(alone);
      expect(change.diff).not.toBe('');
    }
    expect(changes.find((change) => change.path === 'becomes-link.txt')?.diff).toContain(
      'new file mode 120000',
    );
  });
});
