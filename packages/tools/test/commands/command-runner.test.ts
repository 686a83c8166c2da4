import { describe, expect, it } from 'vitest';
import type { CommandRunner, CommandRunRequest } from '../../src/commands/command-runner.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { runProcessTree } from '../../src/commands/run-process-tree.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

/** A runner elsewhere than Herd's own process tree (as an editor's terminal is), running real processes. */
function createRecordingRunner(): CommandRunner & { requests: CommandRunRequest[] } {
  const requests: CommandRunRequest[] = [];
  return {
    description: 'the test terminal',
    requests,
    run(request) {
      requests.push(request);
      return runProcessTree(request);
    },
  };
}

describe('run_command with a command runner', () => {
  it('runs the command through the runner and reports it as unsandboxed there', async () => {
    const { root } = await createTemporaryWorkspace({ 'sub/.keep': '' });
    const commandRunner = createRecordingRunner();
    const dispatcher = await commandToolsFor(root, {
      commandRunner,
      environment: { PATH: process.env.PATH },
    });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['sh', '-c', 'pwd; exit 4'], cwd: 'sub' },
    });
    expect(dataOf(result)).toMatchObject({ exitCode: 4, sandbox: { kind: 'none' } });
    expect(result.content).toContain('UNSANDBOXED: it ran in the test terminal, which Herd cannot sandbox');
    expect(commandRunner.requests).toHaveLength(1);
    expect(commandRunner.requests[0]?.argv).toEqual(['sh', '-c', 'pwd; exit 4']);
    expect(dataOf(result).stdout.text).toBe(`${commandRunner.requests[0]?.cwd}\n`);
  });

  it('gives the runner the allow-listed environment only', async () => {
    const { root } = await createTemporaryWorkspace();
    const commandRunner = createRecordingRunner();
    const dispatcher = await commandToolsFor(root, {
      commandRunner,
      environment: { PATH: process.env.PATH, LLAMA_API_KEY: 'sk-fake', LANG: 'C.UTF-8' },
    });
    await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['env'] } });
    expect(commandRunner.requests[0]?.environment).toMatchObject({ LANG: 'C.UTF-8', HERD: '1' });
    expect(commandRunner.requests[0]?.environment).not.toHaveProperty('LLAMA_API_KEY');
  });

  it('never hands a denied or unapproved command to the runner', async () => {
    const { root } = await createTemporaryWorkspace();
    const commandRunner = createRecordingRunner();
    const dispatcher = await commandToolsFor(root, {
      commandRunner,
      config: { commands: { rules: [{ program: 'rm', decision: 'ask' }] } },
    });
    const denied = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['sudo', 'ls'] } });
    const asked = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['rm', 'x'] } });
    const outside = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['ls'], cwd: '..' },
    });
    expect([denied.ok, asked.ok, outside.ok]).toEqual([false, false, false]);
    expect(asked.approval).toBeDefined();
    expect(commandRunner.requests).toEqual([]);
  });

  it('holds what the runner returns to the configured output cap', async () => {
    const { root } = await createTemporaryWorkspace();
    const flooding: CommandRunner = {
      description: 'a flooding terminal',
      async run() {
        const text = 'x'.repeat(50_000);
        return {
          exitCode: 0,
          signal: undefined,
          timedOut: false,
          aborted: false,
          failedToStart: false,
          error: undefined,
          stdout: { text, totalBytes: text.length, omittedBytes: 0 },
          stderr: { text: '', totalBytes: 0, omittedBytes: 0 },
          durationMs: 1,
        };
      },
    };
    const dispatcher = await commandToolsFor(root, {
      commandRunner: flooding,
      config: { commands: { outputLimitBytes: 1000 } },
    });
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['echo'] } });
    expect(dataOf(result).stdout).toMatchObject({ totalBytes: 50_000, omittedBytes: 49_000 });
    expect(dataOf(result).stdout.text.length).toBeLessThan(1100);
  });

  it('runs a command with stdin locally, since the runner has no standard input', async () => {
    const { root } = await createTemporaryWorkspace();
    const commandRunner = createRecordingRunner();
    const dispatcher = await commandToolsFor(root, { commandRunner, config: { sandbox: { mode: 'off' } } });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['cat'], stdin: 'fed\n' },
    });
    expect(dataOf(result).stdout.text).toBe('fed\n');
    expect(commandRunner.requests).toEqual([]);
  });

  it('keeps commands out of the runner when the configuration requires the sandbox', async () => {
    const { root } = await createTemporaryWorkspace();
    const commandRunner = createRecordingRunner();
    const dispatcher = await commandToolsFor(root, {
      commandRunner,
      config: { sandbox: { mode: 'required' } },
    });
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['echo', 'hi'] } });
    // Sandboxed locally where bubblewrap works, refused where it does not; never in the runner.
    expect(result.ok ? dataOf(result).sandbox.kind : result.error?.code).toMatch(
      /^(bubblewrap|sandbox_unavailable)$/,
    );
    expect(commandRunner.requests).toEqual([]);
  });
});
