import { type ResolvedModelRole, resolveModelRole } from '@herd/core';
import { createChatModel } from '@herd/core/models';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard/create-guard.js';
import { createLlamaGuardClassifier } from '../../src/llama-guard/llama-guard-classifier.js';
import { createLlamaGuardScanner } from '../../src/llama-guard/llama-guard-scanner.js';

const guardModel = 'meta-llama/Llama-Guard-4-12B';

function roleFor(server: ScriptedServer): ResolvedModelRole {
  return resolveModelRole({
    config: {
      provider: 'vllm',
      providers: { vllm: { baseUrl: server.url } },
      roles: { guard: { llamaGuard: { model: guardModel, retries: 0, timeoutMs: 5_000 } } },
    },
    role: 'llamaGuard',
    env: {},
  });
}

describe('Llama Guard over chat completions (scripted server)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  const classifier = (timeoutMs?: number) =>
    createLlamaGuardClassifier({
      chatModel: createChatModel({ role: roleFor(server), env: {} }),
      label: guardModel,
      ...(timeoutMs ? { timeoutMs } : {}),
    });

  it('sends the user turn alone to check input, and reads safe', async () => {
    server.enqueue({ content: 'safe' });
    const verdict = await classifier().classify({ user: 'How do I sort a list in Python?' });
    expect(verdict).toEqual({ safe: true, categories: [], categoryNames: [] });
    const request = server.chatRequests().at(-1);
    expect(request?.model).toBe(guardModel);
    expect(request?.messages).toEqual([{ role: 'user', content: 'How do I sort a list in Python?' }]);
  });

  it('sends user plus agent turn to check output, and maps several codes to names', async () => {
    server.enqueue({ content: 'unsafe\nS1,S9' });
    const verdict = await classifier().classify({ user: 'Help me.', agent: 'Here is how to build it...' });
    expect(verdict).toEqual({
      safe: false,
      categories: ['S1', 'S9'],
      categoryNames: ['Violent Crimes', 'Indiscriminate Weapons'],
    });
    expect(server.chatRequests().at(-1)?.messages).toEqual([
      { role: 'user', content: 'Help me.' },
      { role: 'assistant', content: 'Here is how to build it...' },
    ]);
  });

  it('treats garbage output as an error, not a pass', async () => {
    server.enqueue({ content: 'As an AI language model, I think this is fine.' });
    await expect(classifier().classify({ user: 'hello' })).rejects.toMatchObject({
      code: 'llama_guard_unparseable',
    });
  });

  it('reports a server error as a failed check', async () => {
    server.enqueue({ fault: 'server_error', status: 500 });
    await expect(classifier().classify({ user: 'hello' })).rejects.toMatchObject({
      code: 'llama_guard_failed',
    });
  });

  it('times out a stalled provider', async () => {
    server.enqueue({ fault: 'stall', ms: 30_000 });
    await expect(classifier(150).classify({ user: 'hello' })).rejects.toMatchObject({
      code: 'llama_guard_timeout',
    });
  });

  it('through the guard: unsafe output blocks, excluded categories do not count, errors fail closed', async () => {
    const scanner = createLlamaGuardScanner(classifier());
    const guard = createGuard({
      policy: { extends: 'balanced', excludedCategories: ['S6'] },
      llamaGuard: scanner,
      env: {},
    });
    server.enqueue([{ content: 'unsafe\nS9' }, { content: 'unsafe\nS6' }, { content: 'nonsense' }]);
    const unsafe = await guard.scan({
      point: 'model_output',
      text: 'Mix these chemicals...',
      userTurn: 'How?',
    });
    const excluded = await guard.scan({
      point: 'model_output',
      text: 'Take two aspirin.',
      userTurn: 'Headache?',
    });
    const garbage = await guard.scan({
      point: 'model_output',
      text: 'Done.',
      userTurn: 'Fix it.',
      mode: 'ci',
    });
    expect(unsafe.action).toBe('block');
    expect(unsafe.results.at(-1)).toMatchObject({
      scanner: 'llama_guard',
      categories: ['S9'],
      action: 'block',
    });
    expect(excluded.action).toBe('allow');
    expect(garbage.action).toBe('block');
    expect(garbage.results.at(-1)?.error?.code).toBe('llama_guard_unparseable');
  });
});

describe('Llama Guard over Meta moderations (scripted server)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  const classifier = () =>
    createLlamaGuardClassifier({
      moderations: {
        url: `${server.url}/moderations`,
        apiKeyEnv: 'HERD_TEST_GUARD_KEY',
        model: 'Llama-Guard',
      },
      env: { HERD_TEST_GUARD_KEY: 'test-key-123' },
    });

  it('posts the conversation with the key and reads flagged categories', async () => {
    server.enqueueModeration({ flagged: true, flagged_categories: ['S2', 'S14'] });
    const verdict = await classifier().classify({ user: 'Escape the container for me.' });
    expect(verdict).toEqual({
      safe: false,
      categories: ['S2', 'S14'],
      categoryNames: ['Non-Violent Crimes', 'Code Interpreter Abuse'],
    });
    const request = server.requests.at(-1);
    expect(request?.headers.authorization).toBe('Bearer test-key-123');
    expect(request?.body).toEqual({
      messages: [{ role: 'user', content: 'Escape the container for me.' }],
      model: 'Llama-Guard',
    });
  });

  it('reads an unflagged result as safe', async () => {
    server.enqueueModeration({ flagged: false });
    expect((await classifier().classify({ user: 'hi', agent: 'hello' })).safe).toBe(true);
  });

  it('reports an HTTP error as a failed check', async () => {
    await expect(classifier().classify({ user: 'nothing queued' })).rejects.toMatchObject({
      code: 'llama_guard_failed',
    });
  });
});
