import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type AcpAgent, type CreateAcpAgentOptions, createAcpAgent } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach } from 'vitest';
import { fixPlan } from '../../../../test/engine/fixture-repository.js';
import {
  connectTestEditor,
  inProcessStreams,
  type TestEditor,
  type TestEditorOptions,
} from './acp-test-editor.js';

/** The MCP server the editor-MCP tests give the agent (a real stdio server from the tools package's fixtures). */
export const notesServer = fileURLToPath(
  new URL('../../../tools/test/mcp/fixtures/notes-mcp-server.mjs', import.meta.url),
);

/** The edit that fixes the fixture repository's failing test. */
export const fixEdit = { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] };

/** What a test of `herd acp` in this process uses: the scripted server and an editor connected to a new agent. */
export interface AcpAgentFixture {
  readonly server: ScriptedServer;
  /** Scripts the planner's answer: the fixture repository's fix plan. */
  scriptPlan(): void;
  /** Scripts the actor's answer: the edit that fixes the test, then a summary. */
  scriptFix(): void;
  /** Starts `herd acp` in this process, connected to a test editor over in-memory NDJSON streams. */
  startEditor(editorOptions?: TestEditorOptions): Promise<TestEditor>;
  /** Starts `herd acp` with these options (no configuration given: found as the CLI finds it), connected the same way. */
  startEditorWith(
    agentOptions: CreateAcpAgentOptions,
    editorOptions?: TestEditorOptions,
  ): Promise<TestEditor>;
  newSession(editor: TestEditor, cwd: string, mode?: 'plan' | 'act'): Promise<string>;
  prompt(editor: TestEditor, sessionId: string, text: string): Promise<acp.PromptResponse>;
}

/** Registers a scripted server per test and closes every agent a test started; call at the top of a test file. */
export function useAcpAgentFixture(): AcpAgentFixture {
  let server: ScriptedServer | undefined;
  const agents: AcpAgent[] = [];
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
    await server?.close();
  });
  const current = (): ScriptedServer => {
    if (!server) throw new Error('the scripted server starts before each test');
    return server;
  };
  async function startEditorWith(
    agentOptions: CreateAcpAgentOptions,
    editorOptions: TestEditorOptions = {},
  ): Promise<TestEditor> {
    const agent = createAcpAgent(agentOptions);
    agents.push(agent);
    const streams = inProcessStreams();
    agent.app.connect(streams.agent);
    const editor = connectTestEditor(streams.client, editorOptions);
    await editor.initialize();
    return editor;
  }
  return {
    get server() {
      return current();
    },
    scriptPlan() {
      current().enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    },
    scriptFix() {
      current().enqueue(
        [{ toolCalls: [{ name: 'edit_file', arguments: fixEdit }] }, { content: 'Fixed add.' }],
        {
          model: testModels.actor,
        },
      );
    },
    async startEditor(editorOptions = {}) {
      const config = createTestConfig({ baseUrl: current().url, testCommand: ['node', 'test.js'] });
      // Llama Guard is left out so that guard calls do not consume the scripted model turns.
      const loaded = {
        config: { ...config, roles: { planner: config.roles?.planner, actor: config.roles?.actor } },
        file: undefined,
        baseDirectory: process.cwd(),
      };
      return startEditorWith({ config: loaded, env: {} }, editorOptions);
    },
    startEditorWith,
    async newSession(editor, cwd, mode) {
      const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
        cwd,
        mcpServers: [],
      });
      if (mode) await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: mode });
      return sessionId;
    },
    prompt(editor, sessionId, text) {
      return editor.agent.request(acp.methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: 'text', text }],
      });
    },
  };
}
