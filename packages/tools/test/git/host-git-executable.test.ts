import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHostGit } from '../../src/git/run-host-git.js';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

// `npx herd`, `pnpm exec herd` and package scripts start Herd with `./node_modules/.bin` (relative: the directory a
// child runs in) and the workspace's `node_modules/.bin` first on PATH. A model can put a program named `git` there
// (write_file, then one sandboxed `chmod`); Herd's host git must never be that program.

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

/** A workspace repository with a fake `git` in its node_modules/.bin that drops a marker outside when run. */
async function plantFakeGit() {
  const { root, parent, outside } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
  initRepository(root);
  const bin = path.join(root, 'node_modules', '.bin');
  await mkdir(bin, { recursive: true });
  const fake = path.join(bin, 'git');
  await writeFile(fake, `#!/bin/sh\ntouch '${path.join(outside, 'fake-git-ran')}'\nexit 0\n`);
  await chmod(fake, 0o755);
  await writeFile(path.join(root, 'a.txt'), 'two\n');
  const ran = async () => (await readdir(outside)).includes('fake-git-ran');
  return { root, parent, ran };
}

describe('the git Herd runs on the host', () => {
  it('is never a git from the workspace put first on PATH by npx or a package script', async () => {
    const { root, parent, ran } = await plantFakeGit();
    process.env.PATH = [
      './node_modules/.bin',
      path.join(root, 'node_modules', '.bin'),
      originalPath,
      '',
    ].join(path.delimiter);
    const { dispatcher } = await createWorkspaceTools({
      workspace: root,
      config: { checkpoints: { directory: path.join(parent, 'checkpoints') }, fetchUrl: { enabled: false } },
    });
    const status = await dispatcher.dispatch({ name: 'git_status' });
    expect(status.content).toContain(' M a.txt');
    const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
    expect(diff.content).toContain('+two');
    const write = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'b.txt', content: 'b\n' },
    });
    expect(write.checkpointId).toMatch(/^[0-9a-f]{40}$/);
    expect(await ran()).toBe(false);
  });

  it('is never a git from the workspace on a PATH a caller passes (herd ci --commit passes the pipeline PATH)', async () => {
    const { root, ran } = await plantFakeGit();
    const result = await runHostGit({
      args: ['status', '--porcelain'],
      cwd: root,
      environment: { PATH: [path.join(root, 'node_modules', '.bin'), originalPath].join(path.delimiter) },
    });
    expect(result.stdout.toString()).toContain(' M a.txt');
    expect(await ran()).toBe(false);
  });

  it('says so when no git is found outside the workspace', async () => {
    const { root } = await plantFakeGit();
    await expect(
      runHostGit({
        args: ['status'],
        cwd: root,
        environment: { PATH: path.join(root, 'node_modules', '.bin') },
      }),
    ).rejects.toMatchObject({ code: 'git_unavailable' });
  });
});
