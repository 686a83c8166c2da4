import { type HerdConfig, type HerdEventInput, resolveModelRole } from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createTestConfig } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { createAgent, createMiddleware, tool } from 'langchain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelRoutingMiddleware } from '../../src/actor/model-routing-middleware.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function actorWithFallback() {
  const base = createTestConfig({ baseUrl: server.url });
  const config: HerdConfig = {
    ...base,
    roles: { ...base.roles, actor: { model: 'primary', retries: 0, fallbacks: [{ model: 'backup' }] } },
  };
  const role = resolveModelRole({ config, role: 'actor', env: {} });
  return { role, models: createChatModelChain({ role, env: {} }) };
}

const echo = tool(async ({ text }: { text: string }) => `echo: ${text}`, {
  name: 'echo',
  description: 'Echo text back',
  schema: z.object({ text: z.string() }),
});

describe('modelRoutingMiddleware', () => {
  it('falls back to the next model inside a createAgent loop and reports every call', async () => {
    const { role, models } = actorWithFallback();
    const events: HerdEventInput[] = [];
    server.enqueue({ fault: 'server_error', status: 502 }, { model: 'primary' });
    server.enqueue(
      [
        {
          toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }],
          usage: { prompt_tokens: 10, completion_tokens: 5 },
        },
      ],
      { model: 'backup' },
    );
    server.enqueue({ content: 'finished' }, { model: 'primary' });
    const agent = createAgent({
      model: models[0]!,
      tools: [echo],
      middleware: [modelRoutingMiddleware({ role, models, emit: (event) => events.push(event) })],
    });
    const result = await agent.invoke({ messages: [{ role: 'user', content: 'say hi' }] });
    expect(result.messages.at(-1)?.content).toBe('finished');
    expect(server.chatRequests().map((body) => body.model)).toEqual(['primary', 'backup', 'primary']);
    expect(events.map((event) => event.type === 'model-call' && [event.model, event.outcome])).toEqual([
      ['primary', 'fallback'],
      ['backup', 'ok'],
      ['primary', 'ok'],
    ]);
    expect(events[1]).toMatchObject({ usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });
    expect(server.chatRequests()[1]?.tools).toHaveLength(1);
  });

  it('reports the failure when the last model fails too', async () => {
    const { role, models } = actorWithFallback();
    const events: HerdEventInput[] = [];
    server.enqueue({ fault: 'server_error' }, { model: 'primary' });
    server.enqueue({ fault: 'server_error' }, { model: 'backup' });
    const agent = createAgent({
      model: models[0]!,
      tools: [echo],
      middleware: [modelRoutingMiddleware({ role, models, emit: (event) => events.push(event) })],
    });
    await expect(agent.invoke({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    expect(events.at(-1)).toMatchObject({ type: 'model-call', model: 'backup', outcome: 'error' });
  });

  it('falls back when a middleware inside it that wraps model calls passes the failure on', async () => {
    const { role, models } = actorWithFallback();
    const events: HerdEventInput[] = [];
    server.enqueue({ fault: 'rate_limit' }, { model: 'primary' });
    server.enqueue({ content: 'finished' }, { model: 'backup' });
    // LangChain wraps what such a middleware throws in a MiddlewareError, which hides the HTTP status.
    const inner = createMiddleware({
      name: 'Inner',
      wrapModelCall: (request, handler) => handler(request),
    });
    const agent = createAgent({
      model: models[0]!,
      tools: [echo],
      middleware: [modelRoutingMiddleware({ role, models, emit: (event) => events.push(event) }), inner],
    });
    const result = await agent.invoke({ messages: [{ role: 'user', content: 'x' }] });
    expect(result.messages.at(-1)?.content).toBe('finished');
    expect(events.map((event) => event.type === 'model-call' && [event.model, event.outcome])).toEqual([
      ['primary', 'fallback'],
      ['backup', 'ok'],
    ]);
  });
});
