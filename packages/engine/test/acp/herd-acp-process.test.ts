import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import { testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin, writeTestConfig } from '../../../../test/cli/herd-cli.js';
import {
  createFailingTestRepository,
  enqueueFixScenario,
  fixPlan,
} from '../../../../test/engine/fixture-repository.js';
import { agentText, connectTestEditor, type TestEditor } from './acp-test-editor.js';

let server: ScriptedServer;
const children: ChildProcess[] = [];
beforeAll(assertBuilt);
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await server.close();
});

/** Spawns the built `herd acp` in a workspace and connects a test editor to its stdio. */
async function spawnAcp(workspace: string): Promise<{ editor: TestEditor; child: ChildProcess }> {
  const child = spawn(process.execPath, [herdBin, 'acp'], {
    cwd: workspace,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const editor = connectTestEditor(
    acp.ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    ),
  );
  await editor.initialize();
  return { editor, child };
}

function scriptFix(): void {
  enqueueFixScenario({
    server,
    plannerModel: testModels.planner,
    actorModel: testModels.actor,
    summary: 'Fixed add.',
  });
}

const prompt = (editor: TestEditor, sessionId: string, text: string) =>
  editor.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] });

describe('herd acp (subprocess)', () => {
  it('plans, switches to act on permission, fixes the test and streams the diff', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    scriptFix();
    const { editor } = await spawnAcp(workspace);
    const { sessionId, modes } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [],
    });
    expect(modes?.availableModes.map((mode) => mode.id)).toEqual(['plan', 'act']);
    await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: 'plan' });

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    expect(editor.permissions.map((permission) => permission.params.toolCall.kind)).toEqual(['switch_mode']);
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    const updates = editor.updates(sessionId);
    expect(updates).toContainEqual({ sessionUpdate: 'current_mode_update', currentModeId: 'act' });
    expect(updates.filter((update) => update.sessionUpdate === 'plan').at(-1)).toMatchObject({
      entries: [{ status: 'completed' }],
    });
    expect(
      updates.some(
        (update) =>
          update.sessionUpdate === 'tool_call_update' &&
          update.content?.some(
            (content) => content.type === 'diff' && content.newText.includes('left + right'),
          ),
      ),
    ).toBe(true);
  });

  it('replays a session in a new process after the first was killed, and goes on in it', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    scriptFix();
    const first = await spawnAcp(workspace);
    const { sessionId } = await first.editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [],
    });
    await prompt(first.editor, sessionId, 'make the failing test pass');
    const gone = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await gone;

    const second = await spawnAcp(workspace);
    await second.editor.agent.request(acp.methods.agent.session.load, {
      sessionId,
      cwd: workspace,
      mcpServers: [],
    });
    const replayed = second.editor.updates(sessionId);
    expect(replayed[0]).toMatchObject({ sessionUpdate: 'user_message_chunk' });
    expect(replayed).toContainEqual(expect.objectContaining({ sessionUpdate: 'tool_call', kind: 'edit' }));
    expect(agentText(replayed)).toContain('Run succeeded');

    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    second.editor.answerWith(() => 'reject');
    expect((await prompt(second.editor, sessionId, 'and again')).stopReason).toBe('end_turn');
  });

  it('cancels a prompt in the middle of acting', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue({ fault: 'stall', ms: 60_000 }, { model: testModels.actor });
    const { editor } = await spawnAcp(workspace);
    const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [],
    });

    const running = prompt(editor, sessionId, 'make the failing test pass');
    await editor.until(() =>
      editor
        .updates(sessionId)
        .some(
          (update) =>
            update.sessionUpdate === 'plan' && update.entries.some((entry) => entry.status === 'in_progress'),
        ),
    );
    await editor.agent.notify(acp.methods.agent.session.cancel, { sessionId });

    expect((await running).stopReason).toBe('cancelled');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });

  it('runs one session to its end while another waits on a question', async () => {
    const waitingWorkspace = createFailingTestRepository();
    const busyWorkspace = createFailingTestRepository();
    writeTestConfig(waitingWorkspace, server.url);
    writeTestConfig(busyWorkspace, server.url);
    const { editor } = await spawnAcp(waitingWorkspace);
    const waitingSession = (
      await editor.agent.request(acp.methods.agent.session.new, { cwd: waitingWorkspace, mcpServers: [] })
    ).sessionId;
    const busySession = (
      await editor.agent.request(acp.methods.agent.session.new, { cwd: busyWorkspace, mcpServers: [] })
    ).sessionId;
    editor.answerWith((params) => (params.sessionId === waitingSession ? 'hold' : 'allow_once'));

    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    const waiting = prompt(editor, waitingSession, 'make the failing test pass');
    await editor.until(() =>
      editor.permissions.some((permission) => permission.params.sessionId === waitingSession),
    );
    scriptFix();
    expect((await prompt(editor, busySession, 'make the failing test pass')).stopReason).toBe('end_turn');
    expect(readFileSync(join(busyWorkspace, 'src/add.js'), 'utf8')).toContain('left + right');

    editor.permissions.find((permission) => permission.params.sessionId === waitingSession)?.answer('reject');
    expect((await waiting).stopReason).toBe('end_turn');
  });
});
