import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import { testModels } from '@herd/core/testing';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';
import { fixEdit, useAcpAgentFixture } from './acp-agent-fixture.js';
import { agentText, type TestEditor } from './acp-test-editor.js';

const fixture = useAcpAgentFixture();
const { startEditor, newSession, prompt, scriptPlan, scriptFix } = fixture;

describe('herd acp sessions (in process)', () => {
  it('keeps a session waiting on a question from blocking another session', async () => {
    const first = createFailingTestRepository();
    const second = createFailingTestRepository();
    const editor = await startEditor();
    const waitingSession = await newSession(editor, first, 'act');
    const busySession = await newSession(editor, second, 'act');
    editor.answerWith((params) => (params.sessionId === waitingSession ? 'hold' : 'allow_once'));

    scriptPlan();
    const waiting = prompt(editor, waitingSession, 'make the failing test pass');
    await editor.until(() =>
      editor.permissions.some((permission) => permission.params.sessionId === waitingSession),
    );
    scriptPlan();
    scriptFix();
    const busy = await prompt(editor, busySession, 'make the failing test pass');

    expect(busy.stopReason).toBe('end_turn');
    expect(readFileSync(join(second, 'src/add.js'), 'utf8')).toContain('left + right');
    editor.permissions.find((permission) => permission.params.sessionId === waitingSession)?.answer('reject');
    expect((await waiting).stopReason).toBe('end_turn');
    expect(readFileSync(join(first, 'src/add.js'), 'utf8')).toContain('left - right');
  });

  it('fails a prompt that would act in a folder another session is acting in, naming that session', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    const holding = await newSession(editor, workspace, 'act');
    const refused = await newSession(editor, workspace, 'act');
    editor.answerWith((params) => (params.sessionId === holding ? 'hold' : 'allow_once'));

    scriptPlan();
    const waiting = prompt(editor, holding, 'make the failing test pass');
    await editor.until(() =>
      editor.permissions.some((permission) => permission.params.sessionId === holding),
    );

    await expect(prompt(editor, refused, 'make the failing test pass')).rejects.toMatchObject({
      code: -32603,
      message: expect.stringContaining('is being changed by a run of session'),
      data: { code: 'workspace_busy', blame: 'user' },
    });
    editor.permissions.find((permission) => permission.params.sessionId === holding)?.answer('reject');
    expect((await waiting).stopReason).toBe('end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });

  it('goes on in a session whose Herd was released while another session worked', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'reject');
    const first = await newSession(editor, workspace, 'act');
    const second = await newSession(editor, workspace, 'act');

    for (const sessionId of [first, second, first]) {
      scriptPlan();
      expect((await prompt(editor, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');
    }

    expect(editor.permissions.map((permission) => permission.params.sessionId)).toEqual([
      first,
      second,
      first,
    ]);
  });

  it('lists, loads and replays a session in a new connection, then goes on in it', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    scriptFix();
    const before = await startEditor();
    const sessionId = await newSession(before, workspace, 'act');
    await prompt(before, sessionId, 'make the failing test pass');
    before.connection.close();

    const after = await startEditor();
    const listed = await after.agent.request(acp.methods.agent.session.list, { cwd: workspace });
    expect(listed.sessions).toEqual([
      expect.objectContaining({ sessionId, cwd: workspace, title: 'make the failing test pass' }),
    ]);
    const loaded = await after.agent.request(acp.methods.agent.session.load, {
      sessionId,
      cwd: workspace,
      mcpServers: [],
    });

    expect(loaded.modes?.currentModeId).toBe('act');
    const replayed = after.updates(sessionId);
    expect(replayed[0]).toEqual({
      sessionUpdate: 'user_message_chunk',
      content: { type: 'text', text: 'make the failing test pass' },
    });
    expect(replayed).toContainEqual(expect.objectContaining({ sessionUpdate: 'tool_call', kind: 'edit' }));
    expect(replayed.at(-1)).toMatchObject({ sessionUpdate: 'agent_message_chunk' });
    expect(agentText(replayed)).toContain('Run succeeded');

    fixture.server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    after.answerWith(() => 'reject');
    const again = await prompt(after, sessionId, 'check it again');
    expect(again.stopReason).toBe('end_turn');
  });

  it('resumes a session in a new connection without replaying it, and closes it', async () => {
    const workspace = createFailingTestRepository();
    const before = await startEditor();
    const sessionId = await newSession(before, workspace, 'plan');
    before.connection.close();

    const after = await startEditor();
    const resumed = await after.agent.request(acp.methods.agent.session.resume, {
      sessionId,
      cwd: workspace,
      mcpServers: [],
    });
    await after.until(() => after.updates(sessionId).length > 0);

    expect(resumed.modes?.currentModeId).toBe('plan');
    expect(after.updates(sessionId).map((update) => update.sessionUpdate)).toEqual([
      'available_commands_update',
    ]);
    expect(await after.agent.request(acp.methods.agent.session.close, { sessionId })).toEqual({});
    await expect(prompt(after, sessionId, 'make the failing test pass')).rejects.toMatchObject({
      code: -32002,
    });
  });

  it('remembers an "allow always" answer for the session, also after it is loaded again', async () => {
    const workspace = createFailingTestRepository();
    const readmeEdit = (from: string, to: string) => ({
      toolCalls: [
        { name: 'edit_file', arguments: { path: 'README.md', edits: [{ search: from, replace: to }] } },
      ],
    });
    const answers = (params: acp.RequestPermissionRequest) =>
      (params.toolCall.rawInput as { kind?: string } | undefined)?.kind === 'deviation'
        ? 'allow_always'
        : 'allow_once';
    const deviationsAsked = (editor: TestEditor) =>
      editor.permissions.filter(
        (permission) => (permission.params.toolCall.rawInput as { kind?: string }).kind === 'deviation',
      ).length;

    scriptPlan();
    fixture.server.enqueue(
      [
        readmeEdit('Adds numbers.', 'Adds two numbers.'),
        { toolCalls: [{ name: 'edit_file', arguments: fixEdit }] },
        { content: 'Done.' },
      ],
      { model: testModels.actor },
    );
    const before = await startEditor();
    before.answerWith(answers);
    const sessionId = await newSession(before, workspace, 'act');
    expect((await prompt(before, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');
    expect(deviationsAsked(before)).toBe(1);
    before.connection.close();

    scriptPlan();
    fixture.server.enqueue(
      [readmeEdit('Adds two numbers.', 'Adds numbers, two at a time.'), { content: 'Done.' }],
      {
        model: testModels.actor,
      },
    );
    const after = await startEditor();
    after.answerWith(answers);
    await after.agent.request(acp.methods.agent.session.load, { sessionId, cwd: workspace, mcpServers: [] });
    expect((await prompt(after, sessionId, 'reword the README')).stopReason).toBe('end_turn');

    expect(deviationsAsked(after)).toBe(0);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toContain('Adds numbers, two at a time.');
  });
});
