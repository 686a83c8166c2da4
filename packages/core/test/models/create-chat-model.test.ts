import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { HumanMessage } from '@langchain/core/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdConfig } from '../../src/config/herd-config.js';
import { resolveModelRole } from '../../src/config/resolve-model-role.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { createChatModel, createChatModelChain } from '../../src/models/create-chat-model.js';
import { invokeWithFallbacks } from '../../src/models/invoke-with-fallbacks.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function actorRole(
  overrides: Partial<NonNullable<NonNullable<HerdConfig['roles']>['actor']>> = {},
  apiKeyEnv = 'TEST_LLAMA_KEY',
) {
  const config: HerdConfig = {
    provider: 'local',
    providers: { local: { baseUrl: server.url, apiKeyEnv, requiresApiKey: true } },
    roles: { actor: { model: 'maverick', retries: 0, timeoutMs: 10_000, ...overrides } },
  };
  return resolveModelRole({ config, role: 'actor', env: {} });
}

describe('createChatModel', () => {
  it('calls the provider over the OpenAI-compatible API with the role settings', async () => {
    server.enqueue({ content: 'done', usage: { prompt_tokens: 11, completion_tokens: 2 } });
    const model = createChatModel({
      role: actorRole({ temperature: 0.3 }),
      env: { TEST_LLAMA_KEY: 'k-123456789' },
    });
    const reply = await model.invoke([new HumanMessage('hello')]);
    expect(reply.content).toBe('done');
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 2 });
    expect(server.chatRequests()[0]).toMatchObject({ model: 'maverick', temperature: 0.3 });
  });

  it('sends no key inside a prompt, whatever put it in the conversation', async () => {
    const env: NodeJS.ProcessEnv = {
      TEST_LLAMA_KEY: 'k-live-secret-0123456789',
      DEPLOY_TOKEN: 'dt-0123456789abcdef',
    };
    const model = createChatModel({ role: actorRole(), env });
    server.enqueue({ content: 'ok' });
    // A tool result (or a pasted task) that happens to hold the keys.
    await model.invoke([
      new HumanMessage('cat .env.local: TEST=k-live-secret-0123456789 DEPLOY=dt-0123456789abcdef'),
    ]);
    const [request] = server.requests;
    expect(request?.rawBody).toContain('TEST=[redacted:TEST_LLAMA_KEY] DEPLOY=[redacted:DEPLOY_TOKEN]');
    expect(request?.rawBody).not.toContain('k-live-secret-0123456789');
    // The key still goes where the provider needs it.
    expect(request?.headers.authorization).toBe('Bearer k-live-secret-0123456789');
  });

  it("does not take a CI job's default database password or its commit author for secrets in the prompt", async () => {
    // What a GitHub Actions job with a Postgres service typically sets.
    const env: NodeJS.ProcessEnv = {
      TEST_LLAMA_KEY: 'k-live-secret-0123456789',
      POSTGRES_PASSWORD: 'postgres',
      GIT_AUTHOR_NAME: 'Jane Developer',
    };
    const model = createChatModel({ role: actorRole(), env });
    server.enqueue({ content: 'ok' });
    await model.invoke([new HumanMessage('fix the postgres migration Jane Developer wrote')]);
    expect(server.requests[0]?.rawBody).toContain('fix the postgres migration Jane Developer wrote');
  });

  it('reads the API key from the environment at call time, not at construction', async () => {
    const env: NodeJS.ProcessEnv = { TEST_LLAMA_KEY: 'first-key-0001' };
    const model = createChatModel({ role: actorRole(), env });
    env.TEST_LLAMA_KEY = 'rotated-key-0002';
    server.enqueue({ content: 'ok' });
    await model.invoke('hi');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer rotated-key-0002');
  });

  it('never keeps the key on the model, so serializing it cannot leak the key', () => {
    const model = createChatModel({ role: actorRole(), env: { TEST_LLAMA_KEY: 'sk-do-not-leak-777' } });
    expect(JSON.stringify(model)).not.toContain('sk-do-not-leak-777');
    expect(JSON.stringify(model.toJSON())).not.toContain('sk-do-not-leak-777');
  });

  it('fails before any request when a required key is missing, naming the variable', () => {
    expect(() => createChatModel({ role: actorRole(), env: {} })).toThrow(ConfigError);
    expect(() => createChatModel({ role: actorRole(), env: {} })).toThrow(/TEST_LLAMA_KEY is not set/);
    expect(server.requests).toHaveLength(0);
  });

  it('ignores OPENAI_API_KEY, which belongs to another provider', async () => {
    server.enqueue({ content: 'ok' });
    const model = createChatModel({
      role: actorRole(),
      env: { TEST_LLAMA_KEY: 'mine-123456', OPENAI_API_KEY: 'sk-openai-999' },
    });
    await model.invoke('hi');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer mine-123456');
  });

  it('retries a 429 and then succeeds', async () => {
    server.enqueue([{ fault: 'rate_limit', retryAfterSeconds: 0 }, { content: 'after retry' }]);
    const model = createChatModel({
      role: actorRole({ retries: 2 }),
      env: { TEST_LLAMA_KEY: 'k-123456789' },
    });
    const reply = await model.invoke('hi');
    expect(reply.content).toBe('after retry');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('gives up on a stalled provider after the role timeout', async () => {
    server.enqueue({ fault: 'stall', ms: 30_000 });
    const model = createChatModel({
      role: actorRole({ timeoutMs: 300 }),
      env: { TEST_LLAMA_KEY: 'k-123456789' },
    });
    await expect(model.invoke('hi')).rejects.toThrow(/timed out/i);
  });

  it('streams text deltas and usage', async () => {
    server.enqueue({
      content: 'streamed reply text',
      usage: { prompt_tokens: 5, completion_tokens: 3 },
      chunkSize: 4,
    });
    const model = createChatModel({
      role: actorRole(),
      env: { TEST_LLAMA_KEY: 'k-123456789' },
      streaming: true,
    });
    const pieces: string[] = [];
    for await (const chunk of await model.stream('hi')) pieces.push(String(chunk.content));
    expect(pieces.join('')).toBe('streamed reply text');
    expect(pieces.length).toBeGreaterThan(3);
  });
});

describe('fallback chain', () => {
  function chainRole() {
    const config: HerdConfig = {
      provider: 'local',
      providers: { local: { baseUrl: server.url } },
      roles: {
        actor: { model: 'primary', retries: 0, fallbacks: [{ model: 'secondary' }, { model: 'tertiary' }] },
      },
    };
    return resolveModelRole({ config, role: 'actor', env: {} });
  }

  it('moves to the next model on 5xx and on 429', async () => {
    server.enqueue({ fault: 'server_error', status: 503 }, { model: 'primary' });
    server.enqueue({ fault: 'rate_limit' }, { model: 'secondary' });
    server.enqueue({ content: 'from tertiary' }, { model: 'tertiary' });
    const fallbacks: number[] = [];
    const reply = await invokeWithFallbacks({
      models: createChatModelChain({ role: chainRole(), env: {} }),
      call: (model) => model.invoke('hi'),
      onFallback: ({ to }) => fallbacks.push(to),
    });
    expect(reply.content).toBe('from tertiary');
    expect(fallbacks).toEqual([1, 2]);
    expect(server.chatRequests().map((body) => body.model)).toEqual(['primary', 'secondary', 'tertiary']);
  });

  it('does not fall back on a context overflow, which another model would hit too', async () => {
    server.enqueue({ fault: 'context_length', maxTokens: 1000 }, { model: 'primary' });
    await expect(
      invokeWithFallbacks({
        models: createChatModelChain({ role: chainRole(), env: {} }),
        call: (model) => model.invoke('hi'),
      }),
    ).rejects.toThrow(/maximum context length/);
    expect(server.chatRequests()).toHaveLength(1);
  });
});
