import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearStaleGitLocks } from '../../src/checkpoints/clear-stale-git-locks.js';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Resolves once `file` exists in `directory`, calling `then` at that moment (synchronously). */
const whenCreated = (directory: string, file: string, then: () => void) =>
  new Promise<void>((resolve) => {
    const watcher = watch(directory, () => {
      if (!existsSync(path.join(directory, file))) return;
      then();
      watcher.close();
      resolve();
    });
    if (existsSync(path.join(directory, file))) {
      then();
      watcher.close();
      resolve();
    }
  });

const toolsFor = (root: string, directory: string) =>
  createWorkspaceTools({
    workspace: root,
    config: { checkpoints: { directory }, fetchUrl: { enabled: false } },
  });

describe('a checkpoint store left locked by a killed git', () => {
  it('after SIGKILL of a process and its git child mid-checkpoint, the next start clears the lock and writes work', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 2000; index++)
      files[`src/${index % 40}/file-${index}.txt`] = `line ${index}\n`;
    const { root, parent } = await createTemporaryWorkspace(files);
    const directory = path.join(parent, 'checkpoints');
    const lock = path.join(directory, 'index.lock');
    await (await toolsFor(root, directory)).checkpoints!.create({ label: 'an earlier checkpoint' });
    const environment = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_DIR: directory,
      GIT_WORK_TREE: root,
      GIT_INDEX_FILE: path.join(directory, 'index'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    };

    // A stand-in for Herd taking checkpoints (each runs `git add` in the shadow repository), killed together with
    // its git child, in its own process group, the moment git holds the index lock.
    for (let attempt = 0; attempt < 20 && !existsSync(lock); attempt++) {
      await writeFile(path.join(root, 'src/0/file-0.txt'), `changed ${attempt}\n`);
      const herd = spawn('sh', ['-c', 'while :; do git add --all -- . ; done'], {
        cwd: root,
        env: environment,
        detached: true,
        stdio: 'ignore',
      });
      await whenCreated(directory, 'index.lock', () => process.kill(-herd.pid!, 'SIGKILL'));
      await exited(herd);
    }
    expect(existsSync(lock)).toBe(true);
    // That lock is what refused every write and exec: git cannot take the index.
    expect(() =>
      execFileSync('git', ['add', '--all'], { cwd: root, env: environment, stdio: 'pipe' }),
    ).toThrow(/index\.lock/);

    // The next Herd process: a write is checkpointed and goes through.
    const { dispatcher, checkpoints } = await toolsFor(root, directory);
    await mkdir(path.join(root, 'later'));
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'later/after-the-crash.txt', content: 'written\n' },
    });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.checkpointId).toMatch(/^[0-9a-f]{40}$/);
    expect(existsSync(lock)).toBe(false);
    const changes = await checkpoints!.changes({ since: result.checkpointId! });
    expect(changes.map((change) => change.path)).toEqual(['later/after-the-crash.txt']);
  });

  it.skipIf(process.platform !== 'linux')(
    'leaves a lock alone while a process works in the repository, and clears it once that process is gone',
    async () => {
      const { parent } = await createTemporaryWorkspace();
      const directory = path.join(parent, 'shadow');
      await mkdir(path.join(directory, 'refs', 'herd'), { recursive: true });
      const locks = [
        path.join(directory, 'index.lock'),
        path.join(directory, 'refs', 'herd', 'checkpoints.lock'),
      ];
      for (const lock of locks) await writeFile(lock, '');
      // A live process working in the repository (git and its children carry GIT_DIR in their environment).
      const worker = spawn('sleep', ['600'], {
        env: { PATH: process.env.PATH, GIT_DIR: directory },
        stdio: 'ignore',
      });
      await new Promise((resolve) => worker.once('spawn', resolve));
      expect(await clearStaleGitLocks(directory)).toEqual([]);
      expect(locks.every((lock) => existsSync(lock))).toBe(true);
      worker.kill('SIGKILL');
      await exited(worker);
      expect((await clearStaleGitLocks(directory)).sort()).toEqual([...locks].sort());
      expect(locks.some((lock) => existsSync(lock))).toBe(false);
    },
  );

  it('removes only the locks git takes: lock files of the user in the same folder stay', async () => {
    const { parent } = await createTemporaryWorkspace();
    // A store pointed at a folder that also holds a project (tools.checkpoints.directory set to it).
    const directory = path.join(parent, 'project');
    await mkdir(path.join(directory, 'refs', 'herd'), { recursive: true });
    const gitLocks = ['index.lock', 'HEAD.lock', 'config.lock', 'restore-index-0f1e2d3c-aaaa-bbbb.lock'];
    const userLocks = ['yarn.lock', 'Cargo.lock', 'poetry.lock', 'flake.lock'];
    for (const name of [...gitLocks, ...userLocks]) await writeFile(path.join(directory, name), 'x\n');
    await writeFile(path.join(directory, 'refs', 'herd', 'checkpoints.lock'), '');
    const removed = (await clearStaleGitLocks(directory)).map((lock) => path.relative(directory, lock));
    expect(removed.sort()).toEqual([...gitLocks, path.join('refs', 'herd', 'checkpoints.lock')].sort());
    for (const name of userLocks) expect(existsSync(path.join(directory, name))).toBe(true);
  });
});
