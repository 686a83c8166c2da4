import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type AcpAgent, createAcpAgent } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';
import { connectTestEditor, inProcessStreams } from './acp-test-editor.js';

const apiKey = 'sk-herd-canary-together-7Qx2Lm9Vb4Np0Rt6';
// Any stretch of at least half the key that begins or ends it holds one of these.
const keyParts = [apiKey.slice(0, apiKey.length / 2), apiKey.slice(apiKey.length / 2)];
const tokenEchoServer = fileURLToPath(
  new URL('../../../tools/test/mcp/fixtures/token-echo-mcp-server.mjs', import.meta.url),
);
const leaks = (text: string) => keyParts.filter((part) => text.includes(part));

let server: ScriptedServer;
let agent: AcpAgent | undefined;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await agent?.close();
  await server.close();
});

/** Prompts a new plan-mode session of `herd acp` (in process) with `text`, declining to act on the plan. */
async function promptOnce(text: string) {
  const workspace = createFailingTestRepository();
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
  const config = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  const loaded = {
    config: { ...config, roles: { planner: config.roles?.planner, actor: config.roles?.actor } },
    file: undefined,
    baseDirectory: process.cwd(),
  };
  agent = createAcpAgent({ config: loaded, env: { TOGETHER_API_KEY: apiKey } });
  const streams = inProcessStreams();
  agent.app.connect(streams.agent);
  const editor = connectTestEditor(streams.client);
  await editor.initialize();
  const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
    cwd: workspace,
    mcpServers: [],
  });
  // The plan is proposed; switching to act is declined.
  editor.answerWith(() => 'reject_once');
  await editor.agent.request(acp.methods.agent.session.prompt, {
    sessionId,
    prompt: [{ type: 'text', text }],
  });
  const files = readdirSync(join(workspace, '.herd'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  return {
    updates: editor.updates(sessionId),
    fileLeaks: files.flatMap((file) => leaks(readFileSync(file).toString('latin1')).map(() => file)),
  };
}

describe('herd acp: a key pasted into a prompt', () => {
  it('is not kept in the session title under .herd/acp, nor anywhere else under .herd/', async () => {
    const { updates, fileLeaks } = await promptOnce(`make the failing test pass; my key is ${apiKey}`);
    expect(fileLeaks).toEqual([]);
    expect(updates).toContainEqual({
      sessionUpdate: 'session_info_update',
      title: 'make the failing test pass; my key is [redacted:TOGETHER_API_KEY]',
    });
  });

  it('leaves no piece of it behind when the title is cut at 80 characters in the middle of the key', async () => {
    // The key starts at character 55: a cut before redaction would keep its first 24 characters.
    const task = `${'make the failing test pass, '.repeat(3).slice(0, 54)} ${apiKey}`;
    const { fileLeaks } = await promptOnce(task);
    expect(fileLeaks).toEqual([]);
  });
});

describe('herd acp: a secret the editor gives one of its MCP servers', () => {
  it('is redacted from the tool result before the model, the events or the session see it', async () => {
    const token = 'tok-mcp-service-canary-7Kd2Wq9Zx4';
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [{ toolCalls: [{ name: 'mcp__service__whoami', arguments: {} }] }, { content: 'Checked the service.' }],
      { model: testModels.actor },
    );
    const config = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
    const loaded = {
      config: { ...config, roles: { planner: config.roles?.planner, actor: config.roles?.actor } },
      file: undefined,
      baseDirectory: process.cwd(),
    };
    agent = createAcpAgent({ config: loaded, env: {} });
    const streams = inProcessStreams();
    agent.app.connect(streams.agent);
    const editor = connectTestEditor(streams.client);
    await editor.initialize();
    const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [
        {
          name: 'service',
          command: process.execPath,
          args: [tokenEchoServer],
          env: [{ name: 'SERVICE_API_TOKEN', value: token }],
        },
      ],
    });
    await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: 'act' });
    editor.answerWith(() => 'allow_once');
    await editor.agent.request(acp.methods.agent.session.prompt, {
      sessionId,
      prompt: [{ type: 'text', text: 'make the failing test pass' }],
    });

    const bodies = server.requests.map((request) => request.rawBody);
    expect(bodies.some((body) => body.includes('signed in to the service with token [redacted:'))).toBe(true);
    expect(server.requests.map((request) => request.rawBody).join('\n')).not.toContain(token);
    const stored = readdirSync(join(workspace, '.herd'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'));
    expect(stored.join('\n')).not.toContain(token);
  });
});
