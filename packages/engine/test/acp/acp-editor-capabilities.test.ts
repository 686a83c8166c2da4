import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import { testModels } from '@herd/core/testing';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../../../../test/engine/fixture-repository.js';
import { fixEdit, notesServer, useAcpAgentFixture } from './acp-agent-fixture.js';
import { agentText } from './acp-test-editor.js';

const fixture = useAcpAgentFixture();
const { startEditor, newSession, prompt, scriptPlan, scriptFix } = fixture;

describe("herd acp with the editor's MCP servers, file system and terminal (in process)", () => {
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
    fixture.server.enqueue(
      [
        { toolCalls: [{ name: 'mcp__notes__read_note', arguments: { heading: 'Todo' } }] },
        { toolCalls: [{ name: 'mcp__notes__write_note', arguments: { line: 'fixed add' } }] },
        { toolCalls: [{ name: 'edit_file', arguments: fixEdit }] },
        { content: 'Fixed add and noted it.' },
      ],
      { model: testModels.actor },
    );

    expect((await prompt(editor, sessionId, 'make the failing test pass')).stopReason).toBe('end_turn');

    const actorRequests = fixture.server.chatRequests().filter((body) => body.model === testModels.actor);
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
    fixture.server.enqueue(
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
});
