import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../../src/checkpoints/checkpoint-store.js';
import { isHerdConfiguration, parsePlainConfig } from '../../src/checkpoints/shadow-configuration.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

/** git on the store alone, with no configuration but the store's. */
const storeGit = (directory: string, ...args: string[]) =>
  execFileSync('git', args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GIT_DIR: directory,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });

/** The store's config as git reads it: key → values. */
const configOf = (directory: string) => {
  const entries = new Map<string, string[]>();
  for (const line of storeGit(directory, 'config', '--list', '--local').split('\n').filter(Boolean)) {
    const [key = '', ...value] = line.split('=');
    entries.set(key, [...(entries.get(key) ?? []), value.join('=')]);
  }
  return entries;
};

const herdValues = {
  'core.autocrlf': ['false'],
  'core.safecrlf': ['false'],
  'core.symlinks': ['true'],
  'gc.auto': ['0'],
  'herd.recordsbeganafter': ['none'],
};

describe("the checkpoint store's own git configuration", () => {
  it("holds Herd's settings and what git init writes, and nothing else, in a new store", async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'shadow');
    await createCheckpointStore({ workspace: root, directory }).create({ label: 'first' });
    const config = configOf(directory);
    expect(Object.fromEntries([...config].filter(([key]) => key in herdValues))).toEqual(herdValues);
    expect(
      [...config.keys()].filter((key) => !(key in herdValues) && !key.startsWith('core.')).sort(),
    ).toEqual([]);
    expect(config.get('core.repositoryformatversion')).toEqual(['0']);
  });

  it("puts Herd's settings back when someone changed them, on the store's next start", async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'crlf.txt': 'one\r\n' });
    const directory = path.join(parent, 'shadow');
    await createCheckpointStore({ workspace: root, directory }).create({ label: 'first' });
    storeGit(directory, 'config', 'core.autocrlf', 'true');
    storeGit(directory, 'config', 'gc.auto', '1');
    await appendFile(path.join(directory, 'config'), '# a comment Herd did not write\n');
    const store = createCheckpointStore({ workspace: root, directory });
    await writeFile(path.join(root, 'crlf.txt'), 'two\r\n');
    const checkpoint = await store.create({ label: 'second' });
    const config = configOf(directory);
    expect(config.get('core.autocrlf')).toEqual(['false']);
    expect(config.get('gc.auto')).toEqual(['0']);
    // Exact bytes, not converted on the way in.
    expect(storeGit(directory, 'show', `${checkpoint.id}:crlf.txt`)).toBe('two\r\n');
  });

  it('keeps when change records began in a store an older Herd kept, when it first configures it', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'shadow');
    const first = await createCheckpointStore({ workspace: root, directory }).create({ label: 'older' });
    // As an older Herd left it: no note of when records began.
    storeGit(directory, 'config', '--unset', 'herd.recordsBeganAfter');
    await createCheckpointStore({ workspace: root, directory }).list();
    expect(configOf(directory).get('herd.recordsbeganafter')).toEqual([first.id]);
  });
});

describe('the checkpoint ref kept in its file', () => {
  it('follows checkpoints another process took in the same store', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'shadow');
    const one = createCheckpointStore({ workspace: root, directory });
    const other = createCheckpointStore({ workspace: root, directory });
    const first = await one.create({ label: 'first' });
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    const second = await other.create({ label: 'second' });
    // Nothing changed since the other took its checkpoint: that one is the tip, reused.
    expect((await one.create({ label: 'again' })).id).toBe(second.id);
    await writeFile(path.join(root, 'a.txt'), 'c\n');
    const third = await one.create({ label: 'third' });
    expect(storeGit(directory, 'rev-list', third.id).split('\n').filter(Boolean)).toEqual([
      third.id,
      second.id,
      first.id,
    ]);
    expect((await other.list()).map((checkpoint) => checkpoint.label)).toEqual(['third', 'second', 'first']);
  });

  it('reads refs a person packed with git gc through git', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'shadow');
    const first = await createCheckpointStore({ workspace: root, directory }).create({ label: 'first' });
    storeGit(directory, 'pack-refs', '--all');
    const store = createCheckpointStore({ workspace: root, directory });
    expect((await store.create({ label: 'unchanged' })).id).toBe(first.id);
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    const second = await store.create({ label: 'second' });
    expect(storeGit(directory, 'rev-parse', `${second.id}^`).trim()).toBe(first.id);
    expect(await readFile(path.join(directory, 'refs', 'herd', 'checkpoints'), 'utf8')).toBe(
      `${second.id}\n`,
    );
  });
  it('leaves a lock on the ref it did not take to git, which clears one a killed git left', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const directory = path.join(parent, 'shadow');
    const store = createCheckpointStore({ workspace: root, directory });
    const first = await store.create({ label: 'first' });
    const lock = path.join(directory, 'refs', 'herd', 'checkpoints.lock');
    await writeFile(lock, '');
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    const second = await store.create({ label: 'second' });
    expect(second.id).not.toBe(first.id);
    expect(await readFile(path.join(directory, 'refs', 'herd', 'checkpoints'), 'utf8')).toBe(
      `${second.id}\n`,
    );
    expect(existsSync(lock)).toBe(false);
  });
});

describe('parsePlainConfig and isHerdConfiguration', () => {
  const herd = [
    '[core]',
    '\trepositoryformatversion = 0',
    '\tfilemode = true',
    '\tbare = false',
    '\tlogallrefupdates = true',
    '\tworktree = /home/someone/my project',
    '\tautocrlf = false',
    '\tsafecrlf = false',
    '\tsymlinks = true',
    '[gc]',
    '\tauto = 0',
    '[herd]',
    '\trecordsBeganAfter = none',
    '',
  ].join('\n');

  it("accepts Herd's config as git writes it", () => {
    expect(isHerdConfiguration(parsePlainConfig(herd)!)).toBe(true);
  });

  it('hands anything it does not read plainly to git', () => {
    for (const text of [
      `${herd}[filter "x"]\n\tclean = touch /tmp/ran\n`,
      `${herd}[include]\n\tpath = /elsewhere\n`,
      `${herd}# a comment\n`,
      `${herd}\tautocrlf = "true"\n`,
      `${herd}\tfsmonitor\n`,
      `${herd}\tclean = a\\\\b\n`,
      herd.replace('\n', '\r\n'),
      herd.slice(0, -1),
    ])
      expect(parsePlainConfig(text)).toBeUndefined();
  });

  it("refuses a config with a key Herd and git init do not write, or Herd's settings changed", () => {
    for (const text of [
      `${herd}[core]\n\thooksPath = /tmp/hooks\n`,
      `${herd}[core]\n\tautocrlf = true\n`,
      herd.replace('auto = 0', 'auto = 1'),
      herd.replace('recordsBeganAfter = none', 'recordsBeganAfter = yes'),
      herd.replace('repositoryformatversion = 0', 'repositoryformatversion = 1'),
      herd.replace('\tsymlinks = true\n', ''),
    ])
      expect(isHerdConfiguration(parsePlainConfig(text)!)).toBe(false);
  });
});
