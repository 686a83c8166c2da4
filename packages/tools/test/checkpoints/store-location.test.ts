import { mkdir, readdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

// The checkpoint store's git runs with the store's own configuration and `info/attributes` only. Were the store in
// the workspace, write_file alone (no command, no approval) could define a clean filter there and name it for
// every file: the next checkpoint would run it on the host. Each attack drops `filter-ran` outside if it works.

const originalCache = process.env.XDG_CACHE_HOME;
afterEach(() => {
  if (originalCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = originalCache;
});

/** Opens the workspace's tools and, through write_file only, plants a clean filter in the checkpoint store. */
async function plantFilterInStore(options: { root: string; outside: string; directory?: string }) {
  const tools = await createWorkspaceTools({
    workspace: options.root,
    config: {
      checkpoints: options.directory ? { directory: options.directory } : {},
      fetchUrl: { enabled: false },
    },
  });
  const write = (file: string, content: string) =>
    tools.dispatcher.dispatch({ name: 'write_file', arguments: { path: file, content } });
  await write('first.txt', 'the store is created by the checkpoint before this write\n');
  const store = path.relative(options.root, tools.checkpoints!.directory);
  const marker = path.join(options.outside, 'filter-ran');
  await write(`${store}/config`, `[filter "x"]\n\tclean = "touch ${marker} && cat"\n`);
  await write(`${store}/info/attributes`, '* filter=x\n');
  await write('second.txt', 'the checkpoint before this write hashes files\n');
  await write('third.txt', 'and so does this one\n');
  return tools;
}

const filterRan = async (outside: string) => (await readdir(outside)).includes('filter-ran');

describe('the checkpoint store lies outside the workspace', () => {
  it('refuses a cache (XDG_CACHE_HOME) inside the workspace: no filter planted there runs', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    process.env.XDG_CACHE_HOME = path.join(root, '.cache');
    await expect(plantFilterInStore({ root, outside })).rejects.toMatchObject({
      code: 'checkpoint_directory_in_workspace',
      message: expect.stringContaining('XDG_CACHE_HOME'),
    });
    expect(await filterRan(outside)).toBe(false);
  });

  it('refuses tools.checkpoints.directory inside the workspace, also reached through a link', async () => {
    const { root, parent, outside } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    await symlink(root, path.join(parent, 'link-to-workspace'));
    for (const directory of [path.join(root, 'checkpoints'), path.join(parent, 'link-to-workspace', 'cp')]) {
      await expect(plantFilterInStore({ root, outside, directory })).rejects.toMatchObject({
        code: 'checkpoint_directory_in_workspace',
        message: expect.stringContaining('tools.checkpoints.directory'),
      });
    }
    expect(await filterRan(outside)).toBe(false);
  });

  it('keeps a store outside the workspace readable by its owner only', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    const cache = path.join(parent, 'cache');
    await mkdir(cache);
    process.env.XDG_CACHE_HOME = cache;
    const { dispatcher, checkpoints } = await createWorkspaceTools({
      workspace: root,
      config: { fetchUrl: { enabled: false } },
    });
    const write = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'b.txt', content: 'b\n' },
    });
    expect(write.checkpointId).toMatch(/^[0-9a-f]{40}$/);
    expect(checkpoints!.directory.startsWith(cache)).toBe(true);
    expect((await stat(checkpoints!.directory)).mode & 0o077).toBe(0);
  });
});
