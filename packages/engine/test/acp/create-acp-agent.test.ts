import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type AcpAgent, createAcpAgent } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';
import {
  agentText,
  connectTestEditor,
  inProcessStreams,
  type TestEditor,
  type TestEditorOptions,
} from './acp-test-editor.js';

let server: ScriptedServer;
const agents: AcpAgent[] = [];
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await server.close();
});

const notesServer = fileURLToPath(
  new URL('../../../tools/test/mcp/fixtures/notes-mcp-server.mjs', import.meta.url),
);
const fixEdit = { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] };

function scriptPlan(): void {
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
}
function scriptFix(): void {
  server.enqueue([{ toolCalls: [{ name: 'edit_file', arguments: fixEdit }] }, { content: 'Fixed add.' }], {
    model: testModels.actor,
  });
}

/** Starts `herd acp` in this process, connected to a test editor over in-memory NDJSON streams. */
async function startEditor(editorOptions: TestEditorOptions = {}): Promise<TestEditor> {
  const config = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  // Llama Guard is left out so that guard calls do not consume the scripted model turns.
  const loaded = {
    config: { ...config, roles: { planner: config.roles?.planner, actor: config.roles?.actor } },
    file: undefined,
    baseDirectory: process.cwd(),
  };
  const agent = createAcpAgent({ config: loaded, env: {} });
  agents.push(agent);
  const streams = inProcessStreams();
  agent.app.connect(streams.agent);
  const editor = connectTestEditor(streams.client, editorOptions);
  await editor.initialize();
  return editor;
}

async function newSession(editor: TestEditor, cwd: string, mode?: 'plan' | 'act'): Promise<string> {
  const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] });
  if (mode) await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: mode });
  return sessionId;
}

function prompt(editor: TestEditor, sessionId: string, text: string) {
  return editor.agent.request(acp.methods.agent.session.prompt, {
    sessionId,
    prompt: [{ type: 'text', text }],
  });
}

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

  it('offers /undo, which restores the files to before the last run, then goes one run further back', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');

    expect((await prompt(editor, sessionId, '/undo')).stopReason).toBe('end_turn');

    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    expect(agentText(editor.updates(sessionId))).toContain('- `src/add.js` restored');
    await prompt(editor, sessionId, '/undo');
    expect(agentText(editor.updates(sessionId))).toContain('Nothing to undo');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('undoes only the last run with /undo, even when a person already reverted its change by hand', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    scriptPlan();
    server.enqueue(
      [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/add.js', edits: [{ search: 'left + right', replace: 'right + left' }] },
            },
          ],
        },
        { content: 'Swapped.' },
      ],
      { model: testModels.actor },
    );
    await prompt(editor, sessionId, 'put right first');
    const add = join(workspace, 'src/add.js');
    writeFileSync(add, readFileSync(add, 'utf8').replace('right + left', 'left + right'));

    await prompt(editor, sessionId, '/undo');

    expect(agentText(editor.updates(sessionId))).toContain('(nothing differed)');
    expect(readFileSync(add, 'utf8')).toContain('left + right');
  });

  it('/undo keeps files edited by hand, and asks before overwriting a file edited after Herd changed it', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    let overwrite: 'allow_once' | 'reject' = 'reject';
    editor.answerWith((params) =>
      params.toolCall.title?.startsWith('Undo would overwrite') ? overwrite : 'allow_once',
    );
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');
    const add = join(workspace, 'src/add.js');
    writeFileSync(add, `${readFileSync(add, 'utf8')}// tuned by hand\n`);
    writeFileSync(join(workspace, 'mine.txt'), 'created by hand\n');

    expect((await prompt(editor, sessionId, '/undo')).stopReason).toBe('end_turn');

    const asked = editor.permissions.filter((permission) =>
      permission.params.toolCall.title?.startsWith('Undo would overwrite'),
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]?.params.toolCall.title).toContain('src/add.js');
    expect(agentText(editor.updates(sessionId))).toContain('Nothing was undone');
    expect(readFileSync(add, 'utf8')).toContain('// tuned by hand');

    overwrite = 'allow_once';
    await prompt(editor, sessionId, '/undo');

    expect(readFileSync(add, 'utf8')).toContain('left - right');
    expect(readFileSync(add, 'utf8')).not.toContain('tuned by hand');
    expect(readFileSync(join(workspace, 'mine.txt'), 'utf8')).toBe('created by hand\n');
    expect(agentText(editor.updates(sessionId))).toContain('(your later edit was overwritten)');
  });

  it('undoes one step of the last run with /undo step-1, and says when no run has the step', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const sessionId = await newSession(editor, workspace, 'act');
    scriptPlan();
    scriptFix();
    await prompt(editor, sessionId, 'make the failing test pass');

    await prompt(editor, sessionId, '/undo step-9');
    expect(agentText(editor.updates(sessionId))).toContain('no run of this session has a step `step-9`');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    await prompt(editor, sessionId, '/undo step-1');
    expect(agentText(editor.updates(sessionId))).toContain('before step `step-1` of run');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });

  it("gives the actor the tools of the editor's stdio MCP servers, asking before one that may change things", async () => {
    const workspace = createFailingTestRepository();
    const notes = join(workspace, '..', `${basename(workspace)}-notes.md`);
    writeFileSync(notes, 'buy milk\n');
    const editor = await startEditor();
    editor.answerWith(() => 'allow_once');
    const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [
        {
          name: 'notes',
          command: process.execPath,
          args: [notesServer],
          env: [{ name: 'NOTES_FILE', value: notes }],
        },
      ],
    });
    scriptPlan();
    server.enqueue(
      [
        { toolCalls: [{ name: 'mcp__notes__read_note', arguments: { heading: 'Todo' } }] },
        { toolCalls: [{ name: 'mcp__notes__write_note', arguments: { line: 'fixed add' } }] },
        { toolCalls: [{ name: 'edit_file', arguments: fixEdit }] },
        { content: 'Fixed add and noted it.' },
      ],
      { model: testModels.actor },
    );

    expect((await prompt(editor, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');

    const actorRequests = server.chatRequests().filter((body) => body.model === testModels.actor);
    expect(JSON.stringify(actorRequests[0]?.tools)).toContain('mcp__notes__read_note');
    expect(JSON.stringify(actorRequests[1]?.messages)).toContain('Todo: buy milk');
    expect(editor.permissions.map((permission) => permission.params.toolCall.title)).toContainEqual(
      expect.stringContaining('notes write_note'),
    );
    expect(readFileSync(notes, 'utf8')).toContain('fixed add');
  });

  it('warns about an MCP server it cannot start or does not speak to, and goes on without it', async () => {
    const workspace = createFailingTestRepository();
    const editor = await startEditor();
    editor.answerWith(() => 'reject');
    const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [
        { type: 'http', name: 'web', url: 'http://127.0.0.1:9/mcp', headers: [] },
        { name: 'ghost', command: join(workspace, 'no-such-server'), args: [], env: [] },
        { name: 'my.notes', command: process.execPath, args: [notesServer], env: [] },
        { name: 'my_notes', command: process.execPath, args: [notesServer], env: [] },
      ],
    });
    scriptPlan();

    expect((await prompt(editor, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');

    const text = agentText(editor.updates(sessionId));
    expect(text).toContain("Warning: The MCP server 'web' is skipped: Herd connects to stdio servers only");
    expect(text).toContain("Warning: The MCP server 'ghost'");
    expect(text).toContain(
      "Warning: The tool mcp__my_notes__read_note of the MCP server 'my_notes' is skipped: another server's tool has the same name.",
    );
  });

  it("says in initialize whether edits and commands will go through the editor's file system and terminal", async () => {
    const plain = await startEditor();
    const offering = await startEditor({ fileSystem: 'buffers', terminal: true });
    expect((await plain.initialize()).agentCapabilities?._meta).toMatchObject({
      herd: { usesClientFileSystem: false, usesClientTerminal: false },
    });
    expect((await offering.initialize()).agentCapabilities?._meta).toMatchObject({
      herd: { usesClientFileSystem: true, usesClientTerminal: true },
    });
  });

  it("edits through the editor's file system and verifies in its terminal when the editor offers them", async () => {
    const workspace = realpathSync(createFailingTestRepository());
    scriptPlan();
    scriptFix();
    // An editor that saves what the agent writes, so the verification in its terminal sees the fix.
    const editor = await startEditor({ fileSystem: 'save', terminal: true });
    const sessionId = await newSession(editor, workspace, 'act');

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    const file = join(workspace, 'src/add.js');
    expect(editor.calls).toContain(`fs/write_text_file ${file}`);
    expect(editor.buffers.get(file)).toContain('left + right');
    expect(editor.calls).toContain('terminal/create node test.js');
    expect(editor.calls.filter((call) => call.startsWith('terminal/release'))).toHaveLength(
      editor.calls.filter((call) => call.startsWith('terminal/create')).length,
    );
    expect(agentText(editor.updates(sessionId))).toContain('Run succeeded');
  });

  it("says UNSANDBOXED, and why, when it asks to run a command in the editor's terminal", async () => {
    const workspace = realpathSync(createFailingTestRepository());
    scriptPlan();
    server.enqueue(
      [
        { toolCalls: [{ name: 'run_command', arguments: { argv: ['node', '-e', 'process.exit(0)'] } }] },
        { toolCalls: [{ name: 'edit_file', arguments: fixEdit }] },
        { content: 'Fixed add.' },
      ],
      { model: testModels.actor },
    );
    const editor = await startEditor({ terminal: true });
    // Allow the undeclared command as a deviation, then refuse to run it: only the question matters here.
    editor.answerWith((params) => (params.toolCall.kind === 'execute' ? 'reject' : 'allow_once'));
    const sessionId = await newSession(editor, workspace, 'act');

    expect((await prompt(editor, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');

    const question = editor.permissions.find((permission) => permission.params.toolCall.kind === 'execute');
    expect(question?.params.toolCall.title).toBe("Run `node -e 'process.exit(0)'` UNSANDBOXED?");
    const [warning] = question?.params.toolCall.content ?? [];
    expect(warning).toMatchObject({ type: 'content', content: { type: 'text' } });
    expect((warning as { content: { text: string } }).content.text).toMatch(
      /^UNSANDBOXED: it would run in the editor's terminal, which Herd cannot sandbox: it can read and change every file your user can/,
    );
    expect(editor.calls).not.toContain('terminal/create node -e process.exit(0)');
    // Approving the plan approves the verification command it names, so that question says it too.
    const planQuestion = editor.permissions.find((permission) => permission.params.toolCall.kind === 'think');
    expect(planQuestion?.params.toolCall.title).toMatch(
      /^Approve plan .*; its commands would run UNSANDBOXED\?$/,
    );
    expect(JSON.stringify(planQuestion?.params.toolCall.content)).toContain(
      "UNSANDBOXED: it would run in the editor's terminal",
    );
    // A whole plan, act and verify cycle: generous for a loaded machine.
  }, 90_000);

  it('writes the disk itself and runs commands itself when the editor offers neither', async () => {
    const workspace = createFailingTestRepository();
    scriptPlan();
    scriptFix();
    const editor = await startEditor();
    const sessionId = await newSession(editor, workspace, 'act');

    const response = await prompt(editor, sessionId, 'make the failing test pass');

    expect(response.stopReason).toBe('end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    expect(editor.calls).toEqual([]);
    expect(agentText(editor.updates(sessionId))).toContain('Run succeeded');
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
    server.enqueue({ fault: 'stall', ms: 60_000 }, { model: testModels.actor });
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

    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
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
    server.enqueue(
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
    server.enqueue([readmeEdit('Adds two numbers.', 'Adds numbers, two at a time.'), { content: 'Done.' }], {
      model: testModels.actor,
    });
    const after = await startEditor();
    after.answerWith(answers);
    await after.agent.request(acp.methods.agent.session.load, { sessionId, cwd: workspace, mcpServers: [] });
    expect((await prompt(after, sessionId, 'reword the README')).stopReason).toBe('end_turn');

    expect(deviationsAsked(after)).toBe(0);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toContain('Adds numbers, two at a time.');
  });

  it('fails the prompt with the run error, named by its code, when no model endpoint is configured', async () => {
    const workspace = createFailingTestRepository();
    const agent = createAcpAgent({ env: {} });
    agents.push(agent);
    const streams = inProcessStreams();
    agent.app.connect(streams.agent);
    const editor = connectTestEditor(streams.client);
    await editor.initialize();
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
