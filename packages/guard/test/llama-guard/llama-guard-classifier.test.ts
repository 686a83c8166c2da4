import { AsyncLocalStorage } from 'node:async_hooks';
import { ProviderError, type ResolvedModelRole, resolveModelRole } from '@herd/core';
import { createChatModel } from '@herd/core/models';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { RunnableLambda } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard/create-guard.js';
import {
  createLlamaGuardClassifier,
  type LlamaGuardCall,
} from '../../src/llama-guard/llama-guard-classifier.js';
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

  it('reports a server error as a provider error with the provider’s words and the fix', async () => {
    server.enqueue({ fault: 'server_error', status: 500, message: 'upstream model crashed' });
    const error = await classifier()
      .classify({ user: 'hello' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'llama_guard_failed', status: 500, blame: 'system' });
    expect((error as Error).message).toContain('HTTP 500: "upstream model crashed"');
    expect((error as Error).message).toContain('roles.guard.llamaGuard.fallbacks');
  });

  it('says when the window is too small for the check, naming the setting', async () => {
    server.enqueue({ fault: 'context_length', maxTokens: 8_192 });
    const error = (await classifier()
      .classify({ user: 'a long file' })
      .catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('maximum context length is 8192 tokens');
    expect(error.message).toContain('roles.guard.llamaGuard.contextWindow');
  });

  it('asks the provider for a few tokens, not its generic output limit', async () => {
    server.enqueue({ content: 'safe' });
    await classifier().classify({ user: 'hello' });
    expect(server.chatRequests().at(-1)?.max_tokens).toBe(32);
  });

  it('names an unreachable provider and where to point it', async () => {
    const closed = await startScriptedServer();
    await closed.close();
    const error = (await createLlamaGuardClassifier({
      chatModel: createChatModel({ role: roleFor(closed), env: {} }),
      endpoints: [{ provider: 'vllm', model: guardModel }],
    })
      .classify({ user: 'hello' })
      .catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: 'llama_guard_failed', provider: 'vllm' });
    expect(error.message).toContain('Cannot reach Llama Guard 4 (vllm meta-llama/Llama-Guard-4-12B)');
    expect(error.message).toContain('providers.vllm.baseUrl');
  });

  it('reports every call with its usage, so a run can meter it', async () => {
    const calls: LlamaGuardCall[] = [];
    server.enqueue([
      { fault: 'server_error', status: 503 },
      { content: 'safe', usage: { prompt_tokens: 40, completion_tokens: 1 } },
    ]);
    const role = roleFor(server);
    const metered = createLlamaGuardClassifier({
      chatModel: createChatModel({ role, env: {} }),
      fallbackModels: [createChatModel({ role, env: {} })],
      endpoints: [
        { provider: 'vllm', model: guardModel },
        { provider: 'backup', model: guardModel },
      ],
      onCall: (call) => calls.push(call),
    });
    expect((await metered.classify({ user: 'hello' })).safe).toBe(true);
    expect(calls.map((call) => [call.provider, call.outcome])).toEqual([
      ['vllm', 'fallback'],
      ['backup', 'ok'],
    ]);
    expect(calls[1]?.usage).toEqual({ inputTokens: 40, outputTokens: 1, totalTokens: 41 });
  });

  it('runs outside the caller’s LangChain callbacks, so an agent never streams the verdict as its own text', async () => {
    // The attack: a check made inside an agent's middleware inherits the agent's callbacks, and the agent's
    // text streamer then shows "unsafe\nS14" as if the agent had said it.
    const seen: string[] = [];
    const handler = BaseCallbackHandler.fromMethods({
      handleLLMStart() {
        seen.push('start');
      },
      handleLLMNewToken(token: string) {
        seen.push(token);
      },
    });
    // As in an agent run: LangGraph (under createAgent) installs Node's AsyncLocalStorage for LangChain contexts.
    AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage());
    server.enqueue({ content: 'unsafe\nS14' });
    const checked = classifier();
    const verdict = await RunnableLambda.from(async () =>
      checked.classify({ user: 'escape the sandbox' }),
    ).invoke({}, { callbacks: [handler] });
    expect(verdict.categories).toEqual(['S14']);
    expect(seen).toEqual([]);
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
    const garbage = guard.scan({ point: 'model_output', text: 'Done.', userTurn: 'Fix it.', mode: 'ci' });
    expect(unsafe.action).toBe('block');
    expect(unsafe.results.at(-1)).toMatchObject({
      scanner: 'llama_guard',
      categories: ['S9'],
      action: 'block',
    });
    expect(excluded.action).toBe('allow');
    // An answer that is not Llama Guard's says the host serves something else: an error, never a pass or a block.
    await expect(garbage).rejects.toMatchObject({ code: 'llama_guard_unparseable', blame: 'model' });
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
