import { mkdir, readdir, readFile, rename, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathDeniedError } from '../../src/errors/path-denied-error.js';
import { writeFileAtomically } from '../../src/files/write-file-atomically.js';
import { hasDescriptorPaths } from '../../src/jail/pinned-directory.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const pinning = await hasDescriptorPaths();
if (!pinning) console.warn('Skipping the held-folder tests: /proc/self/fd is not available here.');

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string; rule?: string },
  );

describe.skipIf(!pinning)('WorkspaceJail.openDirectory', () => {
  it('keeps a write in the folder it holds when that folder is swapped for a symlink to outside', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'dir/a.txt': 'a' });
    const jail = await createWorkspaceJail({ root });
    const folder = await jail.openDirectory({ relative: 'dir', path: 'dir/new.txt' });
    try {
      // What a sandboxed command can do between the jail's check and the write.
      await rename(path.join(root, 'dir'), path.join(root, 'moved'));
      await symlink(outside, path.join(root, 'dir'));
      await writeFileAtomically({
        jail,
        target: { directory: folder, name: 'new.txt', shownPath: 'dir/new.txt' },
        bytes: Buffer.from('planted'),
      });
    } finally {
      await folder.close();
    }
    expect(await readFile(path.join(root, 'moved', 'new.txt'), 'utf8')).toBe('planted');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it.each([
    ['a symlink to a folder inside', 'alias'],
    ['below a symlink to outside', 'escape/sub'],
  ])('refuses a folder reached through %s, which the jail would have resolved', async (_, relative) => {
    const { root, outside } = await createTemporaryWorkspace({ 'real/b.txt': 'b' });
    await mkdir(path.join(outside, 'sub'));
    await symlink('real', path.join(root, 'alias'));
    await symlink(outside, path.join(root, 'escape'));
    const jail = await createWorkspaceJail({ root });
    const error = await failure(jail.openDirectory({ relative, path: relative }));
    expect(error).toBeInstanceOf(PathDeniedError);
    expect(error?.rule).toBe('symlink_escape');
  });

  it('creates missing folders inside the held ones, and names a file in the way', async () => {
    const { root } = await createTemporaryWorkspace({ 'file.txt': 'x' });
    const jail = await createWorkspaceJail({ root });
    const folder = await jail.openDirectory({ relative: 'a/b/c', path: 'a/b/c/d.txt', create: true });
    expect(await folder.location()).toBe(path.join(jail.root, 'a', 'b', 'c'));
    await folder.close();
    expect((await stat(path.join(root, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    const blocked = await failure(
      jail.openDirectory({ relative: 'file.txt/x', path: 'file.txt/x/y', create: true }),
    );
    expect(blocked?.code).toBe('not_a_directory');
    expect(blocked?.message).toContain("'file.txt' is a file");
    expect((await failure(jail.openDirectory({ relative: 'missing', path: 'missing' })))?.code).toBe(
      'ENOENT',
    );
  });

  it('refuses to create a folder where a symlink to outside was put', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    await symlink(outside, path.join(root, 'made'));
    const jail = await createWorkspaceJail({ root });
    const error = await failure(
      jail.openDirectory({ relative: 'made/sub', path: 'made/sub/x', create: true }),
    );
    expect(error?.rule).toBe('symlink_escape');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});
