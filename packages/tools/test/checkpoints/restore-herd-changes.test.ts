import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UndoConflictError } from '../../src/errors/undo-conflict-error.js';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

/** A workspace with tools whose changes are checkpointed, and the checkpoint a run would start from. */
async function workspaceWithRun(files: Record<string, string>) {
  const { root, parent } = await createTemporaryWorkspace(files);
  const { dispatcher, checkpoints } = await createWorkspaceTools({
    workspace: root,
    config: { checkpoints: { directory: path.join(parent, 'checkpoints') }, fetchUrl: { enabled: false } },
  });
  const start = await checkpoints!.create({ label: 'before the run' });
  const write = async (file: string, content: string) => {
    const result = await dispatcher.dispatch({ name: 'write_file', arguments: { path: file, content } });
    expect(result.ok).toBe(true);
  };
  const read = (file: string) => readFile(path.join(root, file), 'utf8');
  return { root, checkpoints: checkpoints!, start, write, read };
}

describe('restore with scope herd-changes (what undo does)', () => {
  it('restores only what Herd changed: files the user created or edited by hand stay', async () => {
    const run = await workspaceWithRun({ 'a.txt': 'a1\n', 'b.txt': 'b1\n' });
    await run.write('a.txt', 'a by herd\n');
    await run.write('new/by-herd.txt', 'created by herd\n');
    // After the run, by hand:
    await writeFile(path.join(run.root, 'b.txt'), 'b edited by the user\n');
    await writeFile(path.join(run.root, 'mine.txt'), 'created by the user\n');

    const result = await run.checkpoints.restore(run.start.id, { scope: 'herd-changes' });

    expect(await run.read('a.txt')).toBe('a1\n');
    expect(existsSync(path.join(run.root, 'new'))).toBe(false);
    expect(await run.read('b.txt')).toBe('b edited by the user\n');
    expect(await run.read('mine.txt')).toBe('created by the user\n');
    expect(result.restored).toEqual(['a.txt']);
    expect(result.removed).toEqual(['new/by-herd.txt']);
    expect(result.conflicts).toEqual([]);
  });

  it('refuses, naming the file, when the user changed a file Herd changed; forced, it restores it', async () => {
    const run = await workspaceWithRun({ 'a.txt': 'a1\n', 'c.txt': 'c1\n' });
    await run.write('a.txt', 'a by herd\n');
    await run.write('c.txt', 'c by herd\n');
    await writeFile(path.join(run.root, 'a.txt'), 'a by herd, then edited by the user\n');

    const refused = await run.checkpoints.restore(run.start.id, { scope: 'herd-changes' }).catch((e) => e);
    expect(refused).toBeInstanceOf(UndoConflictError);
    expect(refused).toMatchObject({ code: 'undo_conflict', paths: ['a.txt'] });
    expect(refused.message).toContain('"a.txt"');
    // Nothing was restored.
    expect(await run.read('a.txt')).toBe('a by herd, then edited by the user\n');
    expect(await run.read('c.txt')).toBe('c by herd\n');

    const forced = await run.checkpoints.restore(run.start.id, { scope: 'herd-changes', force: true });
    expect(await run.read('a.txt')).toBe('a1\n');
    expect(await run.read('c.txt')).toBe('c1\n');
    expect(forced.conflicts).toEqual(['a.txt']);
  });

  it('an undo of an earlier run also takes back what a later undo restored, and nothing else', async () => {
    const run = await workspaceWithRun({ 'a.txt': 'a1\n' });
    await run.write('a.txt', 'a2 (first run)\n');
    const second = await run.checkpoints.create({ label: 'before the second run' });
    await run.write('a.txt', 'a3 (second run)\n');
    await run.checkpoints.restore(second.id, { scope: 'herd-changes' });
    expect(await run.read('a.txt')).toBe('a2 (first run)\n');
    await writeFile(path.join(run.root, 'mine.txt'), 'by hand\n');
    await run.checkpoints.restore(run.start.id, { scope: 'herd-changes' });
    expect(await run.read('a.txt')).toBe('a1\n');
    expect(await run.read('mine.txt')).toBe('by hand\n');
  });

  it('forced, never deletes files of the user that stand where a file Herd changed was (a folder of the same name)', async () => {
    const run = await workspaceWithRun({ notes: 'n1\n', 'a.txt': 'a1\n' });
    await run.write('notes', 'notes by herd\n');
    await run.write('a.txt', 'a by herd\n');
    // After the run, by hand: the file becomes a folder of the user's notes.
    await rm(path.join(run.root, 'notes'));
    await mkdir(path.join(run.root, 'notes'));
    await writeFile(path.join(run.root, 'notes', 'mine.txt'), 'the user note\n');

    const refused = await run.checkpoints.restore(run.start.id, { scope: 'herd-changes' }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'undo_conflict', paths: ['notes'] });
    // The person says yes to overwriting "notes"; the folder's files were never Herd's and stay.
    const forced = await run.checkpoints.restore(run.start.id, { scope: 'herd-changes', force: true });
    expect(await run.read('notes/mine.txt')).toBe('the user note\n');
    expect(await run.read('a.txt')).toBe('a1\n');
    expect(forced.kept).toEqual(['notes']);
    expect(forced.restored).toEqual(['a.txt']);
  });
});

describe('restore with scope herd-changes in a store an older Herd kept', () => {
  it('asks about every changed file, as nothing recorded which were Herd’s', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'a1\n' });
    const directory = path.join(parent, 'checkpoints');
    // An older Herd: checkpoints, but no change records and no note of when records began.
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GIT_DIR: directory, GIT_WORK_TREE: root, GIT_CONFIG_NOSYSTEM: '1' },
      }).trim();
    git('init', '-q');
    git('add', '--all');
    const tree = git('write-tree');
    const old = git(
      '-c',
      'user.name=herd',
      '-c',
      'user.email=h@herd.invalid',
      'commit-tree',
      tree,
      '-m',
      'before step-1',
    );
    git('update-ref', 'refs/herd/checkpoints', old);
    await writeFile(path.join(root, 'a.txt'), 'a by the older herd\n');
    await writeFile(path.join(root, 'mine.txt'), 'by hand\n');

    const { checkpoints } = await createWorkspaceTools({
      workspace: root,
      config: { checkpoints: { directory }, fetchUrl: { enabled: false } },
    });
    const refused = await checkpoints!.restore(old, { scope: 'herd-changes' }).catch((error) => error);
    expect(refused).toMatchObject({ code: 'undo_conflict', paths: ['a.txt', 'mine.txt'] });
    expect(refused.message).toContain('recorded by an earlier Herd');
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('a by the older herd\n');

    await checkpoints!.restore(old, { scope: 'herd-changes', force: true });
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('a1\n');
    // A run after the upgrade is recorded as usual.
    const start = await checkpoints!.create({ label: 'a new run' });
    await writeFile(path.join(root, 'mine.txt'), 'by hand again\n');
    const none = await checkpoints!.restore(start.id, { scope: 'herd-changes' });
    expect(none.restored).toEqual([]);
    expect(await readFile(path.join(root, 'mine.txt'), 'utf8')).toBe('by hand again\n');
  });
});
