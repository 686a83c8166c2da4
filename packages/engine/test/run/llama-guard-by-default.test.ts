import { readFileSync } from 'node:fs';
import * as acp from '@agentclientprotocol/sdk';
import type { HerdEvent, LoadedHerdConfig } from '@herd/core';
import { createAcpAgent, runCi } from '@herd/engine';
import { type ScriptedServer, type ScriptedTurn, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';
import { agentText, connectTestEditor, inProcessStreams } from '../acp/acp-test-editor.js';

// The Together preset's model ids: the run below has no guard configuration at all.
const scout = 'meta-llama/Llama-4-Scout-17B-16E-Instruct';
const maverick = 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8';
const llamaGuard = 'meta-llama/Llama-Guard-4-12B';
const env = { TOGETHER_API_KEY: 'tgp-e2e-test-key' };
const fixCall: ScriptedTurn = {
  toolCalls: [
    {
      name: 'edit_file',
      arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    },
  ],
};

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

/** `TOGETHER_API_KEY` set and no guard configuration: only Together's address moves to the local server. */
function togetherConfig(workspace: string, extra: Record<string, unknown> = {}): LoadedHerdConfig {
  return {
    config: {
      providers: { together: { baseUrl: server.url } },
      run: { testCommand: ['node', 'test.js'] },
      ...extra,
    },
    file: undefined,
    baseDirectory: workspace,
  };
}

/** Llama Guard answers every check with `answer`; the planner and actor follow the fix scenario. */
function scriptRun(answer: ScriptedTurn): void {
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: scout });
  server.enqueue([fixCall, { content: 'Replaced the subtraction with an addition.' }], { model: maverick });
  server.respondWith((body) =>
    body.model === llamaGuard ? answer : { fault: 'server_error', message: `unscripted ${body.model}` },
  );
}

const guardRequests = () => server.chatRequests().filter((body) => body.model === llamaGuard);
const verdictWords = /\b(un)?safe\b/i;

describe('Llama Guard 4 on by default (Together preset, local OpenAI-compatible server)', () => {
  it('checks the task and the model output, meters every call, and never shows a verdict as the agent’s text', async () => {
    const workspace = createFailingTestRepository();
    scriptRun({ content: 'safe' });
    const events: HerdEvent[] = [];
    const outcome = await runCi({
      task: 'make the failing test pass',
      workspace,
      config: togetherConfig(workspace),
      env,
      onEvent: (event) => events.push(event),
    });

    expect(outcome.exitCode).toBe(0);
    const checks = guardRequests();
    // The task alone (input), and the task with an agent reply (output).
    expect(checks.some((body) => body.messages?.length === 1)).toBe(true);
    expect(checks.some((body) => body.messages?.at(-1)?.role === 'assistant')).toBe(true);
    expect(checks.every((body) => body.max_tokens === 32)).toBe(true);

    const { report } = outcome;
    expect(report.guard.classifiers).toEqual([
      expect.objectContaining({ name: 'prompt_guard', state: 'skipped' }),
      expect.objectContaining({ name: 'llama_guard', state: 'on' }),
    ]);
    expect(report.guard.classifiers[1]?.reason).toContain(
      "provider 'together' serves meta-llama/Llama-Guard-4-12B",
    );
    // Metered like any model call: every request the server saw is a counted model call.
    expect(report.usage.modelCalls).toBe(server.chatRequests().length);
    expect(report.usage.byRole.llamaGuard?.totalTokens).toBeGreaterThan(0);
    const guardCalls = events.filter((event) => event.type === 'model-call' && event.role === 'llamaGuard');
    expect(guardCalls).toHaveLength(checks.length);

    // The bug: guard checks inside the actor's middleware inherited its text streamer.
    const texts = events.flatMap((event) => (event.type === 'model-text' ? [event.text] : []));
    expect(texts.join('')).toContain('Replaced the subtraction');
    expect(texts.filter((text) => verdictWords.test(text))).toEqual([]);
    expect(events.find((event) => event.type === 'run-start')).toMatchObject({
      guard: { classifiers: [{ name: 'prompt_guard' }, { name: 'llama_guard', state: 'on' }] },
    });
    const summary = readFileSync(report.outputs.summary, 'utf8');
    expect(summary.split('\n').slice(0, 6).join('\n')).toContain('Not fully guarded');
    expect(summary).toContain('Prompt Guard 2 skipped: not set up');
    expect(JSON.stringify(events)).not.toContain(env.TOGETHER_API_KEY);
  });

  it('sends an editor over ACP no "safe" or "unsafe" as agent messages, and says at the start what the guard skips', async () => {
    const workspace = createFailingTestRepository();
    scriptRun({ content: 'safe' });
    const agent = createAcpAgent({ config: togetherConfig(workspace), env });
    try {
      const streams = inProcessStreams();
      agent.app.connect(streams.agent);
      const editor = connectTestEditor(streams.client);
      await editor.initialize();
      const { sessionId } = await editor.agent.request(acp.methods.agent.session.new, {
        cwd: workspace,
        mcpServers: [],
      });
      await editor.agent.request(acp.methods.agent.session.setMode, { sessionId, modeId: 'act' });
      const response = await editor.agent.request(acp.methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: 'text', text: 'make the failing test pass' }],
      });
      expect(response.stopReason).toBe('end_turn');
      expect(guardRequests().length).toBeGreaterThan(1);
      const chunks = editor
        .updates(sessionId)
        .flatMap((update) =>
          update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text'
            ? [update.content.text]
            : [],
        );
      expect(chunks.filter((text) => /^\s*(un)?safe\s*$/i.test(text))).toEqual([]);
      expect(agentText(editor.updates(sessionId))).toContain('Replaced the subtraction');
      expect(chunks[0]).toContain('Guard: Prompt Guard 2 skipped (not set up');
    } finally {
      await agent.close();
    }
  });

  it('a verdict of unsafe S14 blocks the step and never reads as something the agent said', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: scout });
    server.enqueue([fixCall, { content: 'Done.' }], { model: maverick });
    // The task passes; the first check of the actor's work says it abuses the code interpreter.
    server.enqueue([{ content: 'safe' }, { content: 'unsafe\nS14' }], { model: llamaGuard });
    server.respondWith(() => ({ content: 'safe' }));
    const events: HerdEvent[] = [];
    const outcome = await runCi({
      task: 'make the failing test pass',
      workspace,
      config: togetherConfig(workspace),
      env,
      onEvent: (event) => events.push(event),
    });
    expect(outcome.exitCode).toBe(2);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'guard-verdict',
        scanner: 'llama_guard',
        action: 'block',
        categories: ['S14'],
      }),
    );
    const texts = events.flatMap((event) => (event.type === 'model-text' ? [event.text] : []));
    expect(texts.filter((text) => verdictWords.test(text) || text.includes('S14'))).toEqual([]);
  });

  it('a Llama Guard provider failure is a provider error (exit 3) with the provider’s words, never a guard block', async () => {
    const workspace = createFailingTestRepository();
    scriptRun({
      fault: 'server_error',
      status: 400,
      message: 'Input validation error: inputs tokens + max_new_tokens must be <= 8192',
    });
    const outcome = await runCi({
      task: 'make the failing test pass',
      workspace,
      config: togetherConfig(workspace),
      env,
    });
    const { report } = outcome;
    expect(outcome.exitCode).toBe(3);
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ code: 'llama_guard_failed', blame: 'system' });
    expect(report.reason).toContain(
      'HTTP 400: "Input validation error: inputs tokens + max_new_tokens must be <= 8192"',
    );
    expect(report.reason).toContain('roles.guard.llamaGuard');
    expect(report.reason).not.toMatch(/rephrase|blocked/i);
    expect(report.guardVerdicts).toEqual([]);
    expect(report.guard.classifiers[1]).toMatchObject({ name: 'llama_guard', state: 'failed' });
    // Fail-closed: the task was never planned on.
    expect(server.chatRequests().filter((body) => body.model === scout)).toEqual([]);
  });

  it('--require-guard (requireGuard) exits 3 when a classifier is missing, naming how to turn it on', async () => {
    const workspace = createFailingTestRepository();
    const outcome = await runCi({
      task: 'make the failing test pass',
      workspace,
      config: togetherConfig(workspace),
      env,
      requireGuard: true,
    });
    expect(outcome.exitCode).toBe(3);
    expect(outcome.report.error?.code).toBe('guard_classifier_required');
    expect(outcome.report.reason).toContain('herd guard setup');
    expect(outcome.summary).toContain('Guard coverage unknown');
    expect(server.chatRequests()).toEqual([]);
  });
});
