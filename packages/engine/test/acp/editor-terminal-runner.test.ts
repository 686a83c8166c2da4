import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspaceTools, type RunCommandData } from '@herd/tools';
import { describe, expect, it } from 'vitest';
import { createEditorTerminalRunner } from '../../src/acp/editor-terminal-runner.js';
import { connectEditorPeer } from './editor-peer.js';

/** Herd's tools over a workspace whose commands run in an editor's terminal over ACP. */
async function toolsThroughTerminal(commands: object = {}) {
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'herd-editor-terminal-')));
  const { client, editor } = connectEditorPeer({ terminal: true });
  const tools = await createWorkspaceTools({
    workspace,
    config: {
      checkpoints: { enabled: false },
      fetchUrl: { enabled: false },
      commands: { rules: [{ program: 'node', decision: 'allow' }], ...commands },
    },
    environment: { PATH: process.env.PATH, LLAMA_API_KEY: 'sk-never-in-a-terminal' },
    commandRunner: createEditorTerminalRunner({ client, sessionId: 'session-1' }),
  });
  return { workspace, editor, dispatcher: tools.dispatcher };
}

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

describe("the editor's terminal (terminal/* over ACP)", () => {
  it('runs a command through terminal/create, wait_for_exit, output and release, and says it was unsandboxed', async () => {
    const { editor, dispatcher } = await toolsThroughTerminal();
    const script = "console.log('in the terminal', process.env.LLAMA_API_KEY ?? 'no key'); process.exit(3)";
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['node', '-e', script] },
    });
    expect(editor.calls).toEqual([
      `terminal/create node -e ${script}`,
      'terminal/wait_for_exit terminal-1',
      'terminal/output terminal-1',
      'terminal/release terminal-1',
    ]);
    expect(dataOf(result)).toMatchObject({ exitCode: 3, timedOut: false, sandbox: { kind: 'none' } });
    expect(dataOf(result).stdout.text).toBe('in the terminal no key\n');
    expect(result.content).toContain("UNSANDBOXED: it ran in the editor's terminal");
  });

  it('kills a command at the time limit with terminal/kill and reports the timeout', async () => {
    const { editor, dispatcher } = await toolsThroughTerminal({ timeoutMs: 300 });
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['node', '-e', 'setTimeout(() => {}, 60000)'] },
    });
    expect(dataOf(result)).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(editor.calls).toContain('terminal/kill terminal-1');
    expect(editor.calls.at(-1)).toBe('terminal/release terminal-1');
  });

  it('never asks the terminal to run a command the policy denies', async () => {
    const { editor, dispatcher } = await toolsThroughTerminal();
    const result = await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['sudo', 'node'] } });
    expect(result.ok).toBe(false);
    expect(editor.calls).toEqual([]);
  });
});
