import { execFile } from 'node:child_process';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadHerdConfig } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { git, initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const status = await probeBubblewrap({ workspace: tmpdir() });
if (status.kind === 'none')
  console.warn(`Skipping control-file tests (bubblewrap unavailable: ${status.reason}).`);

// Another Herd process is spawned from the built output (packages/tools/dist), which `npx tsc -b` produces.
const childScript = fileURLToPath(new URL('./fixtures/run-command-in-child.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
if (!built)
  console.warn('Skipping the two-Herd placeholder test: packages/tools/dist is missing; run `npx tsc -b`.');

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;
const config = '{ "tools": { "commands": { "defaultDecision": "ask" } } }\n';

/** Runs a command in the sandbox as a person approved it; returns its data. */
async function runApproved(root: string, argv: string[]) {
  const dispatcher = await commandToolsFor(root);
  const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv } }, { approved: true });
  expect(dataOf(result).sandbox.kind).toBe('bubblewrap');
  return dataOf(result);
}

describe.skipIf(status.kind === 'none')('the sandbox keeps the workspace control files read-only', () => {
  it('refuses writes to herd.config.json and .herd/ and keeps ordinary writes working', async () => {
    const { root } = await createTemporaryWorkspace({
      'herd.config.json': config,
      '.herd/sessions.db': 'db',
    });
    const result = await runApproved(root, [
      'sh',
      '-c',
      'echo \'{"tools":{"sandbox":{"mode":"off"}}}\' > herd.config.json; echo x > .herd/sessions.db; mkdir .herd/plans; rm -f herd.config.json; mv herd.config.json moved.json; echo ok > made.txt; mkdir -p build && echo ok > build/out.txt',
    ]);
    expect(result.stderr.text).toContain('Read-only file system');
    expect(await readFile(path.join(root, 'herd.config.json'), 'utf8')).toBe(config);
    expect(await readFile(path.join(root, '.herd/sessions.db'), 'utf8')).toBe('db');
    expect(existsSync(path.join(root, '.herd/plans'))).toBe(false);
    expect(existsSync(path.join(root, 'moved.json'))).toBe(false);
    expect(await readFile(path.join(root, 'made.txt'), 'utf8')).toBe('ok\n');
    expect(await readFile(path.join(root, 'build/out.txt'), 'utf8')).toBe('ok\n');
  });

  it('refuses git config, hooks and git log --output into the repository, and git status still works', async () => {
    const { root } = await createTemporaryWorkspace({ 'herd.config.json': config, 'a.txt': 'a\n' });
    initRepository(root);
    const gitConfig = await readFile(path.join(root, '.git/config'), 'utf8');
    const attacks = await runApproved(root, [
      'sh',
      '-c',
      'git config core.fsmonitor "touch pwned"; echo "touch pwned" > .git/hooks/pre-commit; git log -1 --output=herd.config.json --format=%H; git log -1 --output=.git/info/attributes --format="* filter=evil"',
    ]);
    expect(attacks.exitCode).not.toBe(0);
    expect(await readFile(path.join(root, '.git/config'), 'utf8')).toBe(gitConfig);
    expect(existsSync(path.join(root, '.git/hooks/pre-commit'))).toBe(false);
    expect(existsSync(path.join(root, '.git/info/attributes'))).toBe(false);
    expect(await readFile(path.join(root, 'herd.config.json'), 'utf8')).toBe(config);
    await writeFile(path.join(root, 'a.txt'), 'b\n');
    const inspected = await runApproved(root, ['sh', '-c', 'git status --short && git diff --stat']);
    expect(inspected.exitCode).toBe(0);
    expect(inspected.stdout.text).toContain(' M a.txt');
  });

  it('keeps a command from creating .git, .gitattributes or herd.config.json where there were none', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const result = await runApproved(root, [
      'sh',
      '-c',
      'git init -q .; mkdir -p .git/hooks; echo "* filter=evil" > .gitattributes; echo "[submodule]" > .gitmodules; echo "{}" > herd.config.json; mkdir .herd/x; echo ok > b.txt',
    ]);
    expect(result.stderr.text).toContain('Read-only file system');
    expect(await readFile(path.join(root, 'b.txt'), 'utf8')).toBe('ok\n');
    // The placeholders that stood in for them are gone again.
    for (const name of ['.git', '.gitattributes', '.gitmodules', 'herd.config.json', '.herd']) {
      expect(existsSync(path.join(root, name)), name).toBe(false);
    }
  });

  it('protects nested control files, and the directories leading to them cannot be moved away', async () => {
    const { root } = await createTemporaryWorkspace({
      'packages/app/herd.config.json': config,
      'packages/app/.gitattributes': '*.png binary\n',
      'packages/app/src/a.ts': 'a\n',
    });
    const result = await runApproved(root, [
      'sh',
      '-c',
      'echo "{}" > packages/app/herd.config.json; echo "* filter=evil" >> packages/app/.gitattributes; mv packages/app packages/old; mv packages moved; echo b > packages/app/src/a.ts',
    ]);
    expect(result.stderr.text).toMatch(/Read-only file system|Device or resource busy/);
    expect(await readFile(path.join(root, 'packages/app/herd.config.json'), 'utf8')).toBe(config);
    expect(await readFile(path.join(root, 'packages/app/.gitattributes'), 'utf8')).toBe('*.png binary\n');
    expect(existsSync(path.join(root, 'packages/old'))).toBe(false);
    expect(existsSync(path.join(root, 'moved'))).toBe(false);
    expect(await readFile(path.join(root, 'packages/app/src/a.ts'), 'utf8')).toBe('b\n');
  });

  it('protects the git directory a .git file points to inside the workspace', async () => {
    const { root } = await createTemporaryWorkspace({ 'repo/a.txt': 'a\n' });
    const repository = path.join(root, 'repo');
    initRepository(repository);
    git(repository, 'worktree', 'add', '-q', path.join(root, 'worktree'));
    const gitConfig = await readFile(path.join(repository, '.git/config'), 'utf8');
    const result = await runApproved(root, [
      'sh',
      '-c',
      'cd worktree && git config core.fsmonitor "touch pwned"; echo x > "$(git rev-parse --git-dir)/HEAD"',
    ]);
    expect(result.exitCode).not.toBe(0);
    expect(await readFile(path.join(repository, '.git/config'), 'utf8')).toBe(gitConfig);
    expect(readFileSync(path.join(repository, '.git/worktrees/worktree/HEAD'), 'utf8')).not.toBe('x\n');
  });

  it('keeps a placeholder while another sandboxed command still uses it, then removes it', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const holding = dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'while [ ! -e release ]; do sleep 0.05; done'] },
    });
    await expect.poll(() => existsSync(path.join(root, 'herd.config.json')), { timeout: 10_000 }).toBe(true);
    const second = await runApproved(root, ['sh', '-c', 'echo "{}" > herd.config.json']);
    expect(second.exitCode).not.toBe(0);
    expect(existsSync(path.join(root, 'herd.config.json'))).toBe(true);
    await writeFile(path.join(root, 'release'), '');
    expect((await holding).ok).toBe(true);
    expect(existsSync(path.join(root, 'herd.config.json'))).toBe(false);
  });

  it.skipIf(!built)(
    'keeps the placeholders another Herd on the same workspace shares while its command runs',
    async () => {
      const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
      // Herd A, another process, runs a command until told to stop: it makes the placeholders.
      const herdA = promisify(execFile)(
        process.execPath,
        [
          childScript,
          root,
          '{}',
          JSON.stringify(['sh', '-c', 'while [ ! -e release-a ]; do sleep 0.05; done']),
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' } },
      );
      await expect.poll(() => existsSync(path.join(root, '.git')), { timeout: 20_000 }).toBe(true);
      // This Herd takes them over; its command waits until Herd A is done, then tries to create the real files.
      const dispatcher = await commandToolsFor(root);
      const attack = dispatcher.dispatch(
        {
          name: 'run_command',
          arguments: {
            argv: [
              'sh',
              '-c',
              'touch b-started; while [ ! -e go ]; do sleep 0.05; done; mkdir -p .git/hooks; printf "[core]\\n\\tfsmonitor = touch pwned\\n" > .git/config; echo "{}" > herd.config.json',
            ],
          },
        },
        { approved: true },
      );
      await expect.poll(() => existsSync(path.join(root, 'b-started')), { timeout: 20_000 }).toBe(true);
      await writeFile(path.join(root, 'release-a'), '');
      expect(JSON.parse((await herdA).stdout)).toMatchObject({ ok: true });
      await writeFile(path.join(root, 'go'), '');
      const result = dataOf(await attack);
      expect(result.stderr.text).toContain('Read-only file system');
      expect(existsSync(path.join(root, '.git/config'))).toBe(false);
      // The last Herd to use them removed them.
      for (const name of ['.git', 'herd.config.json'])
        expect(existsSync(path.join(root, name)), name).toBe(false);
    },
  );

  it('refuses to run while a root control file is a symbolic link, which a command could replace', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    await writeFile(path.join(outside, 'herd.config.json'), config);
    await symlink(path.join(outside, 'herd.config.json'), path.join(root, 'herd.config.json'));
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch(
      {
        name: 'run_command',
        arguments: {
          argv: [
            'sh',
            '-c',
            'rm herd.config.json; echo \'{"tools":{"sandbox":{"mode":"off"}}}\' > herd.config.json',
          ],
        },
      },
      { approved: true },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'control_path_unprotected' } });
    expect(result.error?.message).toContain('herd.config.json is a symbolic link');
    expect((await lstat(path.join(root, 'herd.config.json'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(root, 'herd.config.json'), 'utf8')).toBe(config);
    // Nothing was left behind: the placeholders made before the link was met are gone.
    expect(existsSync(path.join(root, '.git'))).toBe(false);
  });

  it('leaves another Herd started while a command runs reading no configuration, not the empty placeholder', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const holding = dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'while [ ! -e release ]; do sleep 0.05; done'] },
    });
    await expect.poll(() => existsSync(path.join(root, 'herd.config.json')), { timeout: 10_000 }).toBe(true);
    expect(loadHerdConfig({ cwd: root, env: {} }).file).toBeUndefined();
    await writeFile(path.join(root, 'release'), '');
    expect((await holding).ok).toBe(true);
  });

  it('takes over and removes a placeholder a killed Herd left behind', async () => {
    const { root } = await createTemporaryWorkspace();
    await mkdir(path.join(root, '.git'));
    await writeFile(path.join(root, 'herd.config.json'), '');
    for (const name of ['.git', 'herd.config.json'])
      utimesSync(path.join(root, name), new Date(424), new Date(424));
    await runApproved(root, ['true']);
    expect(existsSync(path.join(root, '.git'))).toBe(false);
    expect(existsSync(path.join(root, 'herd.config.json'))).toBe(false);
  });
});
