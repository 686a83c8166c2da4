import type { ServerResponse } from 'node:http';
import { type ScriptedInterceptor, type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveModelRole } from '../../src/config/resolve-model-role.js';
import { ProviderError } from '../../src/errors/provider-error.js';
import { createChatModel } from '../../src/models/create-chat-model.js';
import { minReplyBytes } from '../../src/models/watch-reply-fetch.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
});

const event = (content: string) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-hostile',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'maverick',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;

/** A host that answers chat completions with `serve`, and says when the client closed the connection. */
async function hostile(serve: (response: ServerResponse) => void) {
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const intercept: ScriptedInterceptor = (request, response) => {
    if (!request.url?.endsWith('/chat/completions')) return false;
    response.on('close', closed);
    serve(response);
    return true;
  };
  server = await startScriptedServer({ intercept });
  const url = server.url;
  const model = (options: { timeoutMs: number; streaming: boolean }) =>
    createChatModel({
      role: resolveModelRole({
        config: {
          provider: 'local',
          providers: { local: { baseUrl: url } },
          roles: { actor: { model: 'maverick', retries: 0, timeoutMs: options.timeoutMs } },
        },
        role: 'actor',
        env: {},
      }),
      streaming: options.streaming,
    });
  return { model, connectionClosed };
}

/** The streamed reply's text (`.stream()`: a streamed `invoke` would also download a tokenizer to count tokens). */
const streamed = async (model: ReturnType<Awaited<ReturnType<typeof hostile>>['model']>) => {
  let text = '';
  for await (const chunk of await model.stream('hi')) text += String(chunk.content);
  return text;
};

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
};

describe('a reply body that never ends', () => {
  // The client's timeout ends with the headers: before, each of these calls waited until the run was killed.
  it('fails a stream that stops mid-reply after timeoutMs of silence, naming the host and the setting', async () => {
    const host = await hostile((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event('I will now edit'));
    });
    const error = await failure(streamed(host.model({ timeoutMs: 1000, streaming: true })));
    expect(error.code).toBe('provider_timeout');
    expect(error.message).toContain('sent nothing for 1000 ms after');
    expect(error.message).toContain('roles.actor.timeoutMs');
    await host.connectionClosed;
  }, 30_000);

  it('fails a JSON reply whose body stops after the headers', async () => {
    const host = await hostile((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id": "chatcmpl-hostile", "choices": [');
    });
    const error = await failure(host.model({ timeoutMs: 1000, streaming: false }).invoke('hi'));
    expect(error.code).toBe('provider_timeout');
    await host.connectionClosed;
  }, 30_000);

  it('fails a stream that goes on far past max_tokens, and closes the connection', async () => {
    const piece = event('and on '.repeat(8192));
    const host = await hostile((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const more = () => {
        while (!response.destroyed && response.write(piece)) {}
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    const error = await failure(streamed(host.model({ timeoutMs: 10_000, streaming: true })));
    expect(error.code).toBe('provider_reply_too_large');
    expect(error.message).toContain(`more than ${minReplyBytes} bytes`);
    expect(error.message).toContain('does not honour max_tokens');
    await host.connectionClosed;
  }, 60_000);

  it('still takes a slow reply that keeps sending, however long it takes in all', async () => {
    const host = await hostile((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === 12) {
          clearInterval(timer);
          response.end('data: [DONE]\n\n');
          return;
        }
        sent += 1;
        response.write(event(`${sent} `));
      }, 250);
    });
    // Twelve pieces a quarter of a second apart: 3 s in all, never more than 250 ms without data.
    const reply = await streamed(host.model({ timeoutMs: 2000, streaming: true }));
    expect(reply).toBe('1 2 3 4 5 6 7 8 9 10 11 12 ');
  }, 30_000);
});
