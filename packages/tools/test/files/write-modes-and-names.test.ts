import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const modeOf = async (file: string) => (await stat(file)).mode & 0o7777;

describe('write_file and the modes of what it writes', () => {
  // Writes stage their content in .herd/tmp. Made 0755 like any folder, it let other users of the machine open a
  // file while it was staged (and keep it open after the rename) although its folder was theirs to enter no more
  // than `private/` (0700) is; staged beside the target, as before, the folder's mode protected it.
  it('stages content in a folder only its user can enter, also when .herd/tmp was made open before', async () => {
    const { root } = await createTemporaryWorkspace();
    await mkdir(path.join(root, '.herd/tmp'), { recursive: true });
    await chmod(path.join(root, '.herd/tmp'), 0o755);
    await mkdir(path.join(root, 'private'), { mode: 0o700 });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'private/notes.txt', content: 'my notes\n' },
    });
    expect(result).toMatchObject({ ok: true });
    expect(await modeOf(path.join(root, '.herd/tmp'))).toBe(0o700);
    expect(await readFile(path.join(root, 'private/notes.txt'), 'utf8')).toBe('my notes\n');
  });

  // The mode of a replaced file is kept, but a set-user-ID bit with new content written by the model would run
  // that content with the owner's rights (root's, where Herd runs as root).
  it('keeps the permission bits of a file it replaces, but not set-user-ID or set-group-ID', async () => {
    const { root } = await createTemporaryWorkspace({ 'tool.sh': '#!/bin/sh\necho old\n', 'run.sh': 'x\n' });
    await chmod(path.join(root, 'tool.sh'), 0o6755);
    await chmod(path.join(root, 'run.sh'), 0o750);
    const { dispatcher } = await fileToolsFor(root);
    for (const file of ['tool.sh', 'run.sh']) {
      const result = await dispatcher.dispatch({
        name: 'write_file',
        arguments: { path: file, content: '#!/bin/sh\necho new\n' },
      });
      expect(result).toMatchObject({ ok: true });
    }
    expect(await modeOf(path.join(root, 'tool.sh'))).toBe(0o755);
    expect(await modeOf(path.join(root, 'run.sh'))).toBe(0o750);
  });
});

describe('names and paths at the length limits', () => {
  it('refuses a name over 255 bytes and a path over the system limit with the limit, not a system error', async () => {
    const { root } = await createTemporaryWorkspace();
    const { dispatcher } = await fileToolsFor(root);
    const longName = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: `dir/${'é'.repeat(128)}.txt`, content: 'x' },
    });
    expect(longName).toMatchObject({ ok: false, error: { code: 'path_denied_invalid_path' } });
    expect(longName.error?.message).toContain('255 bytes at most');
    const deep = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: Array.from({ length: 300 }, () => 'd'.repeat(20)).join('/') },
    });
    expect(deep).toMatchObject({ ok: false, error: { code: 'path_denied_invalid_path' } });
    expect(deep.error?.message).toMatch(/opens paths of \d+ bytes at most/);
    expect(JSON.stringify([longName, deep])).not.toContain('/proc/self/fd');
  });

  // Where .herd/tmp cannot be used, the temporary file goes beside the target as `.NAME.herd-HEX.tmp`, 24 bytes
  // longer than NAME: a target named near the limit could not be written at all.
  it('writes a file whose name is 250 bytes long when the temporary file has to go beside it', async () => {
    const { root } = await createTemporaryWorkspace();
    await writeFile(path.join(root, '.herd'), 'not a folder');
    const name = `${'n'.repeat(246)}.txt`;
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: name, content: 'long\n' },
    });
    expect(result).toMatchObject({ ok: true });
    expect(await readFile(path.join(root, name), 'utf8')).toBe('long\n');
    expect((await readdir(root)).sort()).toEqual(['.herd', name]);
  });
});
