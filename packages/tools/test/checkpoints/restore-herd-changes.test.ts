import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
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
});
