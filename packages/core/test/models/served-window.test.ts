import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdConfig } from '../../src/config/herd-config.js';
import { resolveModelRole } from '../../src/config/resolve-model-role.js';
import { readContextLengthRefusal } from '../../src/models/context-length-error.js';
import { createChatModel } from '../../src/models/create-chat-model.js';
import { learnServedWindow } from '../../src/models/learn-served-window.js';
import { maxTokensFor } from '../../src/models/max-tokens-call-option.js';
import { forgetServedWindows } from '../../src/models/probe-served-window.js';
import { replyTokenBudget } from '../../src/models/reply-token-budget.js';

let server: ScriptedServer;
afterEach(async () => {
  await server.close();
  forgetServedWindows();
});

const role = (config: HerdConfig, env: NodeJS.ProcessEnv = {}) =>
  resolveModelRole({ config, role: 'actor', env });

describe('a Herd chat model on the wire', () => {
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  const actor = () =>
    role({
      provider: 'local',
      providers: { local: { baseUrl: server.url } },
      roles: { actor: { model: 'maverick', maxOutputTokens: 4_096, retries: 0 } },
    });

  it('asks for at most the per-call max_tokens, through tool binding too, and never more than maxOutputTokens', async () => {
    server.enqueue([{ content: 'a' }, { content: 'b' }, { content: 'c' }]);
    const model = createChatModel({ role: actor() });
    await model.invoke('hi', maxTokensFor(1_000));
    const bound = model.bindTools(
      [{ type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } }],
      maxTokensFor(1_500),
    );
    await bound.invoke('hi');
    await model.invoke('hi', maxTokensFor(50_000));
    expect(server.chatRequests().map((body) => body.max_tokens)).toEqual([1_000, 1_500, 4_096]);
  });

  it('sends the system prompt as a string and assistant turns without an agent name', async () => {
    server.enqueue({ content: 'ok' });
    const model = createChatModel({ role: actor() });
    await model.invoke([
      new SystemMessage({ content: [{ type: 'text', text: 'You are the actor.' }] }),
      new HumanMessage('step 1'),
      new AIMessage({ content: 'reading', name: 'model' }),
      new HumanMessage('go on'),
    ]);
    const [system, , assistant] = server.chatRequests()[0]!.messages as Array<Record<string, unknown>>;
    expect(system).toEqual({ role: 'system', content: 'You are the actor.' });
    expect(assistant).not.toHaveProperty('name');
    expect(assistant).toMatchObject({ role: 'assistant', content: 'reading' });
  });
});

describe('readContextLengthRefusal', () => {
  const refusal = (message: string, status = 400) => Object.assign(new Error(message), { status });

  it.each([
    [
      'vLLM',
      "400 This model's maximum context length is 16384 tokens. However, you requested 122946 tokens (112946 in the messages, 10000 in the completion). Please reduce the length of the messages or completion.",
      16_384,
      122_946,
    ],
    [
      'vLLM (newer)',
      "400 'max_tokens' or 'max_completion_tokens' is too large: 10000. This model's maximum context length is 16384 tokens and your request has 9000 input tokens (10000 > 16384 - 9000).",
      16_384,
      9_000,
    ],
    [
      'OpenAI',
      "400 This model's maximum context length is 128000 tokens. However, your messages resulted in 204308 tokens. Please reduce the length of the messages.",
      128_000,
      204_308,
    ],
    [
      'OpenRouter',
      "400 This endpoint's maximum context length is 1048576 tokens. However, you requested about 1293741 tokens",
      1_048_576,
      undefined,
    ],
    [
      'Together',
      '400 Input validation error: `inputs` tokens + `max_new_tokens` must be <= 131072. Given: 120000 `inputs` tokens and 16384 `max_new_tokens`',
      131_072,
      136_384,
    ],
    [
      'Fireworks',
      '400 The prompt is too long: 140000, model maximum context length: 131072',
      131_072,
      140_000,
    ],
    [
      'llama.cpp',
      '400 the request exceeds the available context size, try increasing it',
      undefined,
      undefined,
    ],
  ])('reads the %s wording', (_host, message, limit, requested) => {
    expect(readContextLengthRefusal(refusal(message))).toMatchObject({ limit, requested });
  });

  it('does not take other errors for one', () => {
    expect(readContextLengthRefusal(refusal('400 Invalid schema for function edit_file'))).toBeUndefined();
    expect(
      readContextLengthRefusal(refusal('500 maximum context length is 10 tokens (a server bug)', 500)),
    ).toBeUndefined();
  });
});

describe('learnServedWindow', () => {
  it('uses the window vLLM reports in /v1/models when the configuration sets none', async () => {
    server = await startScriptedServer({ contextWindow: { maverick: 32_768 } });
    const learned = await learnServedWindow({
      role: role({
        provider: 'vllm',
        providers: { vllm: { baseUrl: server.url } },
        roles: { actor: { model: 'maverick' } },
      }),
    });
    expect(learned.role.contextWindow).toBe(32_768);
    expect(learned.warnings).toEqual([]);
  });

  it('reads llama.cpp /props and Ollama /api/show, once per process', async () => {
    server = await startScriptedServer({ contextWindow: { 'llama4:maverick': 16_384 } });
    const ollama = await learnServedWindow({
      role: role({
        provider: 'ollama',
        providers: { ollama: { baseUrl: server.url } },
        roles: { actor: { model: 'llama4:maverick' } },
      }),
    });
    expect(ollama.role.contextWindow).toBe(16_384);
    const llamaCpp = await learnServedWindow({
      role: role({
        provider: 'llama-cpp',
        providers: { 'llama-cpp': { baseUrl: server.url } },
        roles: { actor: { model: 'llama4:maverick' } },
      }),
    });
    expect(llamaCpp.role.contextWindow).toBe(16_384);
    await learnServedWindow({
      role: role({
        provider: 'ollama',
        providers: { ollama: { baseUrl: server.url } },
        roles: { actor: { model: 'llama4:maverick' } },
      }),
    });
    expect(server.requests.map((request) => request.path)).toEqual(['/api/show', '/props']);
  });

  it('warns when the configuration claims more than the host serves, and uses what it serves', async () => {
    server = await startScriptedServer({ contextWindow: { maverick: 32_768 } });
    const learned = await learnServedWindow({
      role: role({
        provider: 'vllm',
        providers: { vllm: { baseUrl: server.url } },
        roles: { actor: { model: 'maverick', contextWindow: 131_072 } },
      }),
    });
    expect(learned.role.contextWindow).toBe(32_768);
    expect(learned.warnings).toEqual([
      expect.stringContaining('roles.actor.contextWindow says 131072 tokens'),
    ]);
  });

  it('keeps the preset when the host says nothing or cannot be reached', async () => {
    server = await startScriptedServer();
    const learned = await learnServedWindow({
      role: role({
        provider: 'vllm',
        providers: { vllm: { baseUrl: server.url } },
        roles: { actor: { model: 'maverick' } },
      }),
    });
    expect(learned.role.contextWindow).toBe(131_072);
  });
});

describe('HERD_CONTEXT_WINDOW and small windows', () => {
  it('sets the window of every role the configuration leaves open, and scales the output reserve with it', () => {
    const resolved = role({ provider: 'ollama' }, { HERD_CONTEXT_WINDOW: '32768' });
    expect(resolved).toMatchObject({
      contextWindow: 32_768,
      contextWindowSource: 'environment',
      maxOutputTokens: 2_048,
    });
    expect(role({ provider: 'ollama' })).toMatchObject({ contextWindow: 8_192, maxOutputTokens: 2_048 });
    expect(() => role({ provider: 'ollama' }, { HERD_CONTEXT_WINDOW: '32k' })).toThrow(
      /HERD_CONTEXT_WINDOW is '32k'/,
    );
  });

  it('asks for min(maxOutputTokens, window − prompt − margin)', () => {
    expect(
      replyTokenBudget({ contextWindow: 131_072, maxOutputTokens: 16_384, promptTokens: 114_710 }),
    ).toBeLessThan(131_072 - 114_710);
    expect(replyTokenBudget({ contextWindow: 131_072, maxOutputTokens: 16_384, promptTokens: 1_000 })).toBe(
      16_384,
    );
  });
});
