import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import { testModels } from '@herd/core/testing';
import { type AcpAgent, createAcpAgent } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTestConfig } from '../../../../test/cli/herd-cli.js';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';
import { connectTestEditor, inProcessStreams } from './acp-test-editor.js';

let server: ScriptedServer;
const agents: AcpAgent[] = [];
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await server.close();
});

describe('herd acp and a configuration that changed since a person last ran Herd with it', () => {
  it('asks the editor before using it, refuses the prompt on reject, and runs once it is allowed', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    const agent = createAcpAgent({
      env: { PATH: process.env.PATH, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) },
    });
    agents.push(agent);
    const streams = inProcessStreams();
    agent.app.connect(streams.agent);
    const editor = connectTestEditor(streams.client);
    await editor.initialize();
    let allowConfig = false;
    // Stay in plan mode; answer the configuration question as the test says.
    editor.answerWith((params) =>
      params.toolCall.toolCallId.startsWith('config-trust-') && allowConfig ? 'allow_once' : 'reject',
    );
    const newSession = async () => {
      const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
        cwd: workspace,
        mcpServers: [],
      });
      await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: 'plan' });
      return sessionId;
    };
    const prompt = (sessionId: string) =>
      editor.agent.request(acp.methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: 'text', text: 'make the failing test pass' }],
      });

    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    await prompt(await newSession());
    const configQuestions = () =>
      editor.permissions.filter((permission) =>
        permission.params.toolCall.toolCallId.startsWith('config-trust-'),
      );
    expect(configQuestions()).toHaveLength(0);

    // What a command the model ran could have done; a session opened afterwards reads the file again.
    const file = join(workspace, 'herd.config.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), policy: 'off' }));
    const later = await newSession();
    await expect(prompt(later)).rejects.toThrow(`Herd will not use ${file} without a person confirming it`);
    expect(configQuestions()).toHaveLength(1);
    expect(configQuestions()[0]?.params.toolCall.title).toBe(`Use the changed configuration ${file}?`);

    allowConfig = true;
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    await expect(prompt(later)).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(configQuestions()).toHaveLength(2);
  });
});

describe('herd acp and a first configuration that weakens Herd (a cloned repository)', () => {
  it('asks the editor, naming what it weakens, refuses the prompt on reject, and runs once it is allowed', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url, { tools: { sandbox: { mode: 'off' } } });
    const file = join(workspace, 'herd.config.json');
    const agent = createAcpAgent({
      env: { PATH: process.env.PATH, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) },
    });
    agents.push(agent);
    const streams = inProcessStreams();
    agent.app.connect(streams.agent);
    const editor = connectTestEditor(streams.client);
    await editor.initialize();
    let allowConfig = false;
    editor.answerWith((params) =>
      params.toolCall.toolCallId.startsWith('config-trust-') && allowConfig ? 'allow_once' : 'reject',
    );
    const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
      cwd: workspace,
      mcpServers: [],
    });
    await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: 'plan' });
    const prompt = () =>
      editor.agent.request(acp.methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: 'text', text: 'make the failing test pass' }],
      });
    await expect(prompt()).rejects.toThrow('tools.sandbox.mode: turns the command sandbox off');
    expect(server.requests).toHaveLength(0);
    const questions = editor.permissions.filter((permission) =>
      permission.params.toolCall.toolCallId.startsWith('config-trust-'),
    );
    expect(questions).toHaveLength(1);
    expect(questions[0]?.params.toolCall.title).toBe(`Use the configuration ${file}, which weakens Herd?`);
    expect(JSON.stringify(questions[0]?.params.toolCall.content)).toContain('no person has accepted it');

    allowConfig = true;
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    await expect(prompt()).resolves.toMatchObject({ stopReason: 'end_turn' });
  });
});
