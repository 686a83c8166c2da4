import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { git, initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const status = await probeBubblewrap();
if (status.kind === 'none')
  console.warn(`Skipping control-file tests (bubblewrap unavailable: ${status.reason}).`);

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
