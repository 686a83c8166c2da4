import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

const config = '{ "tools": { "sandbox": { "mode": "required" } } }\n';
const secret = 'LLAMA_API_KEY=sk-secret-in-dotenv\n';

/** A committed repository with a config, a source file and (ignored by nothing, refused by the jail) a .env. */
async function repository() {
  const workspace = await createTemporaryWorkspace({
    'herd.config.json': config,
    'src/a.txt': 'one\n',
    'README.md': '# readme\n',
  });
  initRepository(workspace.root);
  await writeFile(path.join(workspace.root, 'src/a.txt'), 'one\ntwo\n');
  await writeFile(path.join(workspace.root, '.env'), secret);
  return workspace;
}

describe('read-only commands through run_command', () => {
  it('runs everyday read-only git without asking', async () => {
    const { root } = await repository();
    const dispatcher = await commandToolsFor(root);
    const run = (argv: string[]) => dispatcher.dispatch({ name: 'run_command', arguments: { argv } });

    const status = await run(['git', 'status', '--short']);
    expect(status.approval).toBeUndefined();
    expect(dataOf(status).stdout.text).toContain(' M src/a.txt');
    const diff = await run(['git', 'diff', 'HEAD', '--', 'src']);
    expect(dataOf(diff).stdout.text).toContain('+two');
    const log = await run(['git', 'log', '--oneline', '-5']);
    expect(dataOf(log).stdout.text).toContain('initial');
    const show = await run(['git', 'show', 'HEAD:src/a.txt']);
    expect(dataOf(show).stdout.text).toBe('one\n');
    expect([status, diff, log, show].every((result) => result.ok && !result.approval)).toBe(true);
  });

  it('asks before git log --output, which would rewrite herd.config.json with chosen content', async () => {
    const { root } = await repository();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: {
        argv: [
          'git',
          'log',
          '-1',
          '--output=herd.config.json',
          '--format={"tools":{"sandbox":{"mode":"off"}}}',
        ],
      },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'approval_required' } });
    expect(result.approval?.rule).toBe('git log (arguments not vetted)');
    expect(await readFile(path.join(root, 'herd.config.json'), 'utf8')).toBe(config);
  });

  it.each([
    [['git', 'diff', '--no-index', '.env', '/dev/null']],
    [['git', 'diff', '.env', '/dev/null']],
    [['git', 'blame', '--contents=.env', 'README.md']],
    [['date', '-f', '.env']],
  ])('asks before %j, which would print the .env the jail refuses', async (argv) => {
    const { root } = await repository();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv } });
    expect(result.approval).toBeDefined();
    expect(JSON.stringify(result)).not.toContain('sk-secret-in-dotenv');
  });

  it.each([
    [
      'a PATH entry inside the workspace (a virtualenv, direnv PATH_add)',
      (root: string) => path.join(root, 'bin'),
    ],
    ['a relative PATH entry', () => 'bin'],
  ])('asks before git status and ls when %s finds them in the workspace', async (_, entry) => {
    const { root } = await repository();
    const proof = path.join(root, 'pwned');
    // What one approved command can leave behind for every later command that needs no approval.
    for (const program of ['git', 'ls']) {
      await mkdir(path.join(root, 'bin'), { recursive: true });
      await writeFile(path.join(root, 'bin', program), `#!/bin/sh\ntouch ${proof}\n`, { mode: 0o755 });
    }
    const dispatcher = await commandToolsFor(root, {
      environment: { PATH: `${entry(root)}:${process.env.PATH}`, HOME: process.env.HOME ?? '/' },
    });
    for (const argv of [['git', 'status'], ['ls']]) {
      const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv } });
      expect(result.approval?.reason, argv[0]).toContain(
        `'${argv[0]}' on the command's PATH is bin/${argv[0]}`,
      );
    }
    expect(existsSync(proof)).toBe(false);
  });

  it('asks before git diff of two files in a workspace that is not a repository', async () => {
    const { root } = await createTemporaryWorkspace({ '.env': secret, 'README.md': '# readme\n' });
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['git', 'diff', '.env', 'README.md'] },
    });
    expect(result.approval?.reason).toContain('outside a git work tree');
    expect(JSON.stringify(result)).not.toContain('sk-secret-in-dotenv');
  });
});
