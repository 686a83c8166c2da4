import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor, testRules } from './command-tools.js';

const status = await probeBubblewrap({ workspace: tmpdir() });
if (status.kind === 'none')
  console.warn(`Skipping home-hiding sandbox tests (bubblewrap unavailable: ${status.reason}).`);

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

const created: string[] = [];
afterEach(async () => {
  for (const target of created.splice(0)) await rm(target, { recursive: true, force: true });
});

/**
 * A fake home in /var/tmp, not /tmp: the sandbox's private /tmp would hide one there whatever the home handling.
 * Holds an SSH key, as a real home would.
 */
async function createFakeHome() {
  const home = await mkdtemp('/var/tmp/herd-home-');
  created.push(home);
  await mkdir(path.join(home, '.ssh'));
  await writeFile(path.join(home, '.ssh', 'id_ed25519'), 'fake private key\n');
  return home;
}

const environmentWith = (home: string, pathPrefix?: string) => ({
  HOME: home,
  PATH: pathPrefix ? `${pathPrefix}${path.delimiter}${process.env.PATH}` : (process.env.PATH ?? ''),
});

describe.skipIf(status.kind === 'none')('run_command hides home directories inside bubblewrap', () => {
  it("keeps files in the command's $HOME from being read", async () => {
    const home = await createFakeHome();
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { environment: environmentWith(home) });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['cat', path.join(home, '.ssh', 'id_ed25519')] },
    });
    expect(dataOf(result).exitCode).not.toBe(0);
    expect(result.content).not.toContain('fake private key');
  });

  it("keeps files in the user's own home from being read", async () => {
    const secret = path.join(homedir(), `.herd-sandbox-test-secret-${process.pid}`);
    await writeFile(secret, 'real home secret\n');
    created.push(secret);
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['cat', secret] } });
    expect(dataOf(result).exitCode).not.toBe(0);
    expect(result.content).not.toContain('real home secret');
  });

  it.skipIf(!existsSync('/home'))("shows /home empty, hiding other users' homes", async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['node', '-e', "console.log(JSON.stringify(require('fs').readdirSync('/home')))"] },
    });
    expect(dataOf(result).stdout.text).toBe('[]\n');
  });

  it('keeps a workspace inside the home readable and writable', async () => {
    const home = await createFakeHome();
    const root = path.join(home, 'projects', 'app');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'notes.txt'), 'workspace text\n');
    const dispatcher = await commandToolsFor(root, { environment: environmentWith(home) });
    const read = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['cat', 'notes.txt'] },
    });
    expect(dataOf(read).stdout.text).toBe('workspace text\n');
    const write = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['node', '-e', "require('fs').writeFileSync('made.txt', 'made inside')"] },
    });
    expect(dataOf(write).exitCode).toBe(0);
    expect(await readFile(path.join(root, 'made.txt'), 'utf8')).toBe('made inside');
  });

  it('still runs node', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['node', '--version'] },
    });
    expect(dataOf(result)).toMatchObject({ exitCode: 0, sandbox: { kind: 'bubblewrap' } });
    expect(dataOf(result).stdout.text).toMatch(/^v\d+\.\d+\.\d+\n$/);
  });

  it('still runs a toolchain installed in the home, but hides its credentials', async () => {
    const home = await createFakeHome();
    const bin = path.join(home, '.cargo', 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'herd-fake-tool'), '#!/bin/sh\necho toolchain ok\n');
    await chmod(path.join(bin, 'herd-fake-tool'), 0o755);
    await writeFile(path.join(home, '.cargo', 'credentials.toml'), 'token = "fake registry token"\n');
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, {
      environment: environmentWith(home, bin),
      config: { commands: { rules: [...testRules, { program: 'herd-fake-tool', decision: 'allow' }] } },
    });
    const tool = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['herd-fake-tool'] } });
    expect(dataOf(tool).stdout.text).toBe('toolchain ok\n');
    const credentials = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['cat', path.join(home, '.cargo', 'credentials.toml')] },
    });
    expect(credentials.content).not.toContain('fake registry token');
  });

  it('still runs programs from PATH entries inside the home', async () => {
    const home = await createFakeHome();
    const bin = path.join(home, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'herd-own-script'), '#!/bin/sh\necho own script\n');
    await chmod(path.join(bin, 'herd-own-script'), 0o755);
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, {
      environment: environmentWith(home, bin),
      config: { commands: { rules: [...testRules, { program: 'herd-own-script', decision: 'allow' }] } },
    });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['herd-own-script'] },
    });
    expect(dataOf(result).stdout.text).toBe('own script\n');
  });

  it('lets a command write to $HOME without touching the real home', async () => {
    const home = await createFakeHome();
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { environment: environmentWith(home) });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: {
        argv: [
          'node',
          '-e',
          "const fs = require('fs'); const file = require('os').homedir() + '/cache.txt'; fs.writeFileSync(file, 'y'); console.log(fs.readFileSync(file, 'utf8'))",
        ],
      },
    });
    expect(dataOf(result)).toMatchObject({ exitCode: 0, stdout: { text: 'y\n' } });
    expect(existsSync(path.join(home, 'cache.txt'))).toBe(false);
  });
});
