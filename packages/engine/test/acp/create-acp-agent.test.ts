import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import { testModels } from '@herd/core/testing';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../../../../test/engine/fixture-repository.js';
import { useAcpAgentFixture } from './acp-agent-fixture.js';
import { agentText } from './acp-test-editor.js';

const fixture = useAcpAgentFixture();
const { startEditor, newSession, prompt, scriptPlan, scriptFix } = fixture;

describe('herd acp (in process, over NDJSON streams)', () => {
  it('advertises what it implements and nothing more', async () => {
    const editor = await startEditor();
    const response = await editor.initialize();
    expect(response.protocolVersion).toBe(acp.PROTOCOL_VERSION);
    expect(response.agentInfo?.name).toBe('herd');
    expect(response.agentCapabilities).toMatchObject({
      loadSession: true,
      promptCapabilities: { image: false, audio: false, embeddedContext: false },
      sessionCapabilities: { list: {}, resume: {}, close: {} },
    });
    expect(response.authMethods).toEqual([]);
  });

  it("answers initialize with the editor's protocol version when it speaks it, and with its own otherwise", async () => {
    const editor = await startEditor();
    const answer = async (protocolVersion: number) =>
      (await editor.agent.request(acp.methods.agent.initialize, { protocolVersion, clientCapabilities: {} }))
        .protocolVersion;

    expect(await answer(acp.PROTOCOL_VERSION)).toBe(acp.PROTOCOL_VERSION);
    // Herd speaks version 1 only: not the pre-release 0, nor a later version it does not know.
    expect(await answer(0)).toBe(acp.PROTOCOL_VERSION);
    expect(await answer(acp.PROTOCOL_VERSION + 1)).toBe(acp.PROTOCOL_VERSION);
  });

  it('plans in plan mode, switches to act only on permission, and streams the plan, tool calls and diff', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    scriptFix();
    const editor = await startEditor();
    const sessionId = await newSession(editor, workspace, 'plan');

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    // One question only: switching to act is the plan's approval.
    expect(editor.permissions.map((permission) => permission.params.toolCall.kind)).toEqual(['switch_mode']);
    const updates = editor.updates(sessionId);
    expect(updates).toContainEqual({ sessionUpdate: 'current_mode_update', currentModeId: 'act' });
    const plans = updates.filter((update) => update.sessionUpdate === 'plan');
    expect(plans[0]).toMatchObject({ entries: [{ content: 'Fix add', status: 'pending' }] });
    expect(plans.at(-1)).toMatchObject({ entries: [{ content: 'Fix add', status: 'completed' }] });
    const calls = updates.filter((update) => update.sessionUpdate === 'tool_call');
    // The question is shown as a tool call too, and closed once answered.
    expect(calls[0]).toMatchObject({ kind: 'switch_mode', status: 'pending' });
    expect(updates).toContainEqual(
      expect.objectContaining({ toolCallId: calls[0]?.toolCallId, status: 'completed' }),
    );
    expect(calls[1]).toMatchObject({
      kind: 'edit',
      title: 'Edit src/add.js',
      locations: [{ path: join(workspace, 'src/add.js') }],
    });
    const diffs = updates.flatMap((update) =>
      update.sessionUpdate === 'tool_call_update' ? (update.content ?? []) : [],
    );
    expect(diffs).toContainEqual(
      expect.objectContaining({
        type: 'diff',
        path: join(workspace, 'src/add.js'),
        oldText: expect.stringContaining('left - right'),
        newText: expect.stringContaining('left + right'),
      }),
    );
    // The actor's words arrive once: streamed (after the guard) and not repeated as the step summary.
    expect(agentText(updates).split('Fixed add.')).toHaveLength(2);
    expect(agentText(updates)).toContain('Run succeeded');
  });

  it('stays in plan mode and changes nothing when switching to act is rejected', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    const editor = await startEditor();
    editor.answerWith(() => 'reject');
    const sessionId = await newSession(editor, workspace, 'plan');

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    expect(editor.updates(sessionId).some((update) => update.sessionUpdate === 'current_mode_update')).toBe(
      false,
    );
    expect(agentText(editor.updates(sessionId))).toContain('Staying in plan mode');
  });

  it('offers /act, which carries out the plan a plan-mode prompt left unapproved', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    const editor = await startEditor();
    const sessionId = await newSession(editor, workspace, 'plan');
    await editor.until(() =>
      editor.updates(sessionId).some((update) => update.sessionUpdate === 'available_commands_update'),
    );
    expect(editor.updates(sessionId)).toContainEqual({
      sessionUpdate: 'available_commands_update',
      availableCommands: [
        expect.objectContaining({ name: 'act' }),
        expect.objectContaining({ name: 'undo' }),
      ],
    });
    editor.answerWith(() => 'reject');
    await prompt(editor, sessionId, 'make the failing test pass');

    scriptFix();
    editor.answerWith(() => 'allow_once');
    const response = await prompt(editor, sessionId, '/act');

    expect(response.stopReason).toBe('end_turn');
    expect(editor.permissions.map((permission) => permission.params.toolCall.kind)).toEqual([
      'switch_mode',
      'think',
    ]);
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
  });

  it('asks for the plan in act mode and acts on nothing when it is rejected', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    const editor = await startEditor();
    editor.answerWith(() => 'reject');
    const sessionId = await newSession(editor, workspace, 'act');

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    expect(editor.permissions).toHaveLength(1);
    expect(editor.permissions[0]?.params.toolCall).toMatchObject({ kind: 'think' });
    expect(editor.permissions[0]?.params.options.map((option) => option.kind)).toEqual([
      'allow_once',
      'allow_always',
      'reject_once',
    ]);
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    const calls = editor.updates(sessionId).filter((update) => update.sessionUpdate === 'tool_call');
    expect(calls).toEqual([
      expect.objectContaining({ kind: 'think', title: expect.stringContaining('Approve plan') }),
    ]);
    expect(editor.updates(sessionId)).toContainEqual(
      expect.objectContaining({
        sessionUpdate: 'tool_call_update',
        status: 'failed',
        rawOutput: { decision: 'reject' },
      }),
    );
    expect(agentText(editor.updates(sessionId))).toContain('the plan was rejected');
  });

  it('stops a prompt in the middle of acting when the editor cancels it', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    fixture.server.enqueue({ fault: 'stall', ms: 60_000 }, { model: testModels.actor });
    const editor = await startEditor();
    const sessionId = await newSession(editor, workspace, 'act');

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

  it('withdraws a pending question when the prompt is cancelled', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    const editor = await startEditor();
    editor.answerWith(() => 'hold');
    const sessionId = await newSession(editor, workspace, 'act');

    const running = prompt(editor, sessionId, 'make the failing test pass');
    await editor.until(() => editor.permissions.length === 1);
    await editor.agent.notify(acp.methods.agent.session.cancel, { sessionId });

    expect((await running).stopReason).toBe('cancelled');
  });

  it('fails the prompt with the run error, named by its code, when no model endpoint is configured', async () => {
    const workspace = createFailingTestRepository();
    const editor = await fixture.startEditorWith({ env: {} });
    const sessionId = await newSession(editor, workspace);

    await expect(prompt(editor, sessionId, 'make the failing test pass')).rejects.toMatchObject({
      code: -32603,
      message: expect.stringContaining('No model endpoint is configured'),
      data: { blame: 'user' },
    });
    expect(editor.updates(sessionId)[0]).toEqual({
      sessionUpdate: 'session_info_update',
      title: 'make the failing test pass',
    });
    expect(agentText(editor.updates(sessionId))).toContain('Error: No model endpoint is configured');
  });

  it('refuses a session in a folder that does not exist, and creates nothing there', async () => {
    const missing = join(createFailingTestRepository(), 'no', 'such', 'folder');
    const editor = await startEditor();
    await expect(
      editor.agent.request(acp.methods.agent.session.new, { cwd: missing, mcpServers: [] }),
    ).rejects.toMatchObject({ code: -32602 });
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses to load a session that does not exist', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    await expect(
      editor.agent.request(acp.methods.agent.session.load, {
        sessionId: 'no-such-session',
        cwd: workspace,
        mcpServers: [],
      }),
    ).rejects.toMatchObject({ code: -32002 });
  });
});
