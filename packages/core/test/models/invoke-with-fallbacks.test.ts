import { createServer } from 'node:net';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HerdConfig } from '../../src/config/herd-config.js';
import { resolveModelRole } from '../../src/config/resolve-model-role.js';
import { HerdError } from '../../src/errors/herd-error.js';
import { ProviderError } from '../../src/errors/provider-error.js';
import { createChatModelChain } from '../../src/models/create-chat-model.js';
import { modelCallErrorText } from '../../src/models/describe-connection-failure.js';
import { invokeWithFallbacks } from '../../src/models/invoke-with-fallbacks.js';

/** A port on 127.0.0.1 that nothing listens on: bound, read, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

/** The actor chain: the first provider's model, then one model per further provider, without retries. */
function chain(options: { providers: Record<string, string>; timeoutMs?: number }) {
  const [primary, ...others] = Object.keys(options.providers);
  const config: HerdConfig = {
    provider: primary,
    providers: Object.fromEntries(
      Object.entries(options.providers).map(([id, baseUrl]) => [id, { baseUrl }]),
    ),
    roles: {
      actor: {
        model: 'maverick',
        retries: 0,
        timeoutMs: options.timeoutMs ?? 10_000,
        fallbacks: others.map((provider) => ({ provider, model: 'maverick' })),
      },
    },
  };
  return createChatModelChain({ role: resolveModelRole({ config, role: 'actor', env: {} }), env: {} });
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('invokeWithFallbacks when a provider cannot be reached', () => {
  it('reports a refused connection as provider_unreachable naming the provider, URL, cause and fix', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const error = await failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { vllm: baseUrl } }),
        call: (model) => model.invoke('hi'),
      }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'provider_unreachable', blame: 'system', provider: 'vllm' });
    expect((error as Error).message).toBe(
      `Cannot reach vllm at ${baseUrl} (connection refused); start the server or set HERD_BASE_URL / providers.vllm.baseUrl.`,
    );
  });

  it('names every model of the chain when none can be reached', async () => {
    const first = `http://127.0.0.1:${await closedPort()}/v1`;
    const second = `http://127.0.0.1:${await closedPort()}/v1`;
    const fallbacks: number[] = [];
    const error = await failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { vllm: first, local: second } }),
        call: (model) => model.invoke('hi'),
        onFallback: ({ to }) => fallbacks.push(to),
      }),
    );
    expect(fallbacks).toEqual([1]);
    expect(error).toMatchObject({ code: 'provider_unreachable', provider: 'local' });
    expect((error as Error).message).toBe(
      `Cannot reach any actor model: vllm at ${first} (connection refused), local at ${second} (connection refused); start the servers or correct providers.vllm.baseUrl / providers.local.baseUrl.`,
    );
  });

  it('still falls back to a model that answers when the first cannot be reached', async () => {
    server.enqueue({ content: 'from the fallback' });
    const reply = await invokeWithFallbacks({
      models: chain({ providers: { vllm: `http://127.0.0.1:${await closedPort()}/v1`, local: server.url } }),
      call: (model) => model.invoke('hi'),
    });
    expect(reply.content).toBe('from the fallback');
  });

  it('says in the fallback report why the first model gave no answer', async () => {
    server.enqueue({ content: 'from the fallback' });
    const reasons: string[] = [];
    await invokeWithFallbacks({
      models: chain({ providers: { vllm: `http://127.0.0.1:${await closedPort()}/v1`, local: server.url } }),
      call: (model) => model.invoke('hi'),
      onFallback: ({ error }) => reasons.push(modelCallErrorText(error)),
    });
    expect(reasons).toEqual(['Connection error. (connection refused)']);
  });

  it('names the port when fetch refuses it as unsafe without trying it', async () => {
    const error = await failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { vllm: 'http://127.0.0.1:9/v1' } }),
        call: (model) => model.invoke('hi'),
      }),
    );
    expect(error).toMatchObject({ code: 'provider_unreachable' });
    expect((error as Error).message).toBe(
      "Cannot reach vllm at http://127.0.0.1:9/v1 (Node's fetch refuses port 9 as unsafe); serve it on another port and set HERD_BASE_URL / providers.vllm.baseUrl.",
    );
  });

  it('reports a provider that accepts the connection but never answers as provider_timeout', async () => {
    server.enqueue({ fault: 'stall', ms: 30_000 });
    const error = await failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { local: server.url }, timeoutMs: 300 }),
        call: (model) => model.invoke('hi'),
      }),
    );
    expect(error).toMatchObject({ code: 'provider_timeout', provider: 'local' });
    expect((error as Error).message).toBe(
      `local at ${server.url} did not answer the actor call to maverick within 300 ms; check that the server is up and not overloaded, or raise roles.actor.timeoutMs.`,
    );
  });

  it('throws an HTTP error as the provider sent it', async () => {
    server.enqueue({ fault: 'server_error', status: 503 });
    const error = await failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { local: server.url } }),
        call: (model) => model.invoke('hi'),
      }),
    );
    expect(HerdError.find(error)).toBeUndefined();
    expect(error).toMatchObject({ status: 503 });
  });

  it('leaves a call the caller aborted as an abort, not a provider failure', async () => {
    server.enqueue({ fault: 'stall', ms: 30_000 });
    const controller = new AbortController();
    const pending = failureOf(
      invokeWithFallbacks({
        models: chain({ providers: { local: server.url } }),
        call: (model) => model.invoke('hi', { signal: controller.signal }),
      }),
    );
    await vi.waitFor(() => expect(server.chatRequests()).toHaveLength(1));
    controller.abort();
    const error = await pending;
    expect(HerdError.find(error)).toBeUndefined();
    expect((error as Error).name).toBe('AbortError');
  });
});
