import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';
import { processesWith, uniqueSleep } from './process-table.js';

const unsandboxed = { sandbox: { mode: 'off' as const } };
const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

describe('run_command', () => {
  it('runs an argv and reports exit code and output', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
    });
    expect(result.ok).toBe(true);
    expect(dataOf(result)).toMatchObject({ exitCode: 3, timedOut: false });
    expect(result.content).toContain('exit code 3');
    expect(result.content).toContain('--- stdout ---\nout\n');
    expect(result.content).toContain('--- stderr ---\nerr\n');
  });

  it.each([
    '; rm -rf /',
    '$(touch pwned)',
    '`touch pwned`',
    '&& touch pwned',
    '| touch pwned',
    '\n touch pwned',
  ])('passes the injection attempt %j through as one literal argument', async (attack) => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['echo', attack] } });
    expect(dataOf(result).stdout.text).toBe(`${attack}\n`);
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
  });

  it('keeps API keys and tokens out of the child environment', async () => {
    const { root } = await createTemporaryWorkspace();
    const environment = {
      PATH: process.env.PATH,
      HOME: '/home/x',
      LLAMA_API_KEY: 'sk-fake-123',
      GITHUB_TOKEN: 'ghp_fake',
      LC_SECRET_TOKEN: 'x',
      LANG: 'C.UTF-8',
    };
    const dispatcher = await commandToolsFor(root, { config: unsandboxed, environment });
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['env'] } });
    const output = dataOf(result).stdout.text;
    expect(output).not.toContain('sk-fake-123');
    expect(output).not.toContain('ghp_fake');
    expect(output).not.toContain('LC_SECRET_TOKEN');
    expect(output).toContain('LANG=C.UTF-8');
  });

  it('also keeps a key set in this process environment away from the child', async () => {
    const { root } = await createTemporaryWorkspace();
    const before = process.env.LLAMA_API_KEY;
    process.env.LLAMA_API_KEY = 'sk-process-fake';
    try {
      const dispatcher = await commandToolsFor(root);
      const result = await dispatcher.dispatch({
        name: 'run_command',
        arguments: { argv: ['sh', '-c', 'echo "key=$LLAMA_API_KEY"'] },
      });
      expect(dataOf(result).stdout.text).toBe('key=\n');
    } finally {
      if (before === undefined) delete process.env.LLAMA_API_KEY;
      else process.env.LLAMA_API_KEY = before;
    }
  });

  it('passes a variable the configuration allows explicitly', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, {
      config: { ...unsandboxed, commands: { envAllow: ['MY_SETTING'] } },
      environment: { PATH: process.env.PATH, MY_SETTING: 'on' },
    });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'echo $MY_SETTING'] },
    });
    expect(dataOf(result).stdout.text).toBe('on\n');
  });

  it('kills a command that never exits, with its whole process tree, at the time limit', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const duration = uniqueSleep();
    const script = `for i in 1 2 3 4 5 6 7 8 9 10; do (sleep ${duration} & echo started >> started.txt; wait) & done; sleep ${duration} & echo started >> started.txt; wait`;
    const result = await dispatcher.dispatch({
      name: 'run_command',
      // Long enough for a loaded machine to start all eleven sleeps before the limit.
      arguments: { argv: ['sh', '-c', script], timeoutMs: 1000 },
    });
    expect(dataOf(result)).toMatchObject({ timedOut: true });
    expect(result.content).toContain('killed after the 1000 ms time limit');
    expect((await readFile(path.join(root, 'started.txt'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(
      11,
    );
    // Looked for from outside: the command may run in a PID namespace, where the numbers it sees are its own.
    await expect.poll(() => processesWith(duration), { timeout: 10_000 }).toEqual([]);
  });

  it('kills background children left behind when the main process exits', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const duration = uniqueSleep();
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', `sleep ${duration} > /dev/null 2>&1 & echo started`] },
    });
    expect(dataOf(result).stdout.text).toBe('started\n');
    await expect.poll(() => processesWith(duration), { timeout: 10_000 }).toEqual([]);
  });

  it('caps 100 MB of output to its head and tail and says how much was cut', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, {
      config: { ...unsandboxed, commands: { outputLimitBytes: 1000 } },
    });
    const script = 'echo START; head -c 100000000 /dev/zero | tr "\\0" "x"; echo; echo END';
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', script] },
    });
    const stdout = dataOf(result).stdout;
    expect(stdout.totalBytes).toBe(100_000_011);
    expect(stdout.omittedBytes).toBe(100_000_011 - 1000);
    expect(stdout.text.startsWith('START\nxxx')).toBe(true);
    expect(stdout.text.endsWith('xxx\nEND\n')).toBe(true);
    expect(stdout.text).toContain('[… 99999011 bytes cut …]');
    expect(result.content.length).toBeLessThan(2000);
  });

  it('feeds stdin and runs in a workspace subdirectory', async () => {
    const { root } = await createTemporaryWorkspace({ 'sub/file.txt': 'x' });
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'cat; ls'], stdin: 'piped\n', cwd: 'sub' },
    });
    expect(dataOf(result).stdout.text).toBe('piped\nfile.txt\n');
    expect(
      (await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['ls'], cwd: '../outside' } }))
        .error?.code,
    ).toBe('path_denied_outside_workspace');
  });

  it('reports a program that does not exist', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, {
      config: {
        ...unsandboxed,
        commands: { rules: [{ program: 'no-such-program-herd', decision: 'allow' }] },
      },
    });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['no-such-program-herd'] },
    });
    expect(result.error?.code).toBe('command_not_started');
  });

  it('refuses denied programs and asks before risky ones', async () => {
    const { root } = await createTemporaryWorkspace({ 'junk.txt': 'x' });
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const denied = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['sudo', 'ls'] } });
    expect(denied.error).toMatchObject({ code: 'command_denied' });
    expect(denied.error?.message).toContain('privilege escalation');
    const asked = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['rm', 'junk.txt'] } });
    expect(asked).toMatchObject({
      ok: false,
      error: { code: 'approval_required' },
      approval: { kind: 'command', argv: ['rm', 'junk.txt'] },
    });
    expect(existsSync(path.join(root, 'junk.txt'))).toBe(true);
    const approved = await dispatcher.dispatch(
      { name: 'run_command', arguments: { argv: ['rm', 'junk.txt'] } },
      { approved: true },
    );
    expect(approved.ok).toBe(true);
    expect(existsSync(path.join(root, 'junk.txt'))).toBe(false);
  });

  it('refuses shell strings unless the configuration allows them', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['echo hi | cat'], shell: true },
    });
    expect(result.error?.code).toBe('shell_disabled');
  });

  it('says in the result when a command ran unsandboxed', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: unsandboxed });
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['echo', 'x'] } });
    expect(dataOf(result).sandbox).toEqual({
      kind: 'none',
      reason: 'the sandbox is turned off in the configuration',
    });
    expect(result.content).toContain('UNSANDBOXED: the sandbox is turned off');
  });
});
