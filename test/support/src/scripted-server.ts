import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  isScriptedFault,
  type RecordedRequest,
  type ScriptedMessageTurn,
  type ScriptedModeration,
  type ScriptedTurn,
} from './scripted-turn.js';
import {
  contextLengthMessage,
  exceedsWindow,
  llamaCppProps,
  measureRequest,
  ollamaShow,
} from './served-window.js';

/** Options for {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Model ids listed by `GET /v1/models` (default: a Scout, a Maverick and a Llama Guard id). */
  models?: string[];
  /**
   * A window to enforce the way vLLM does with `--max-model-len`: a chat request whose prompt (o200k tokens of the
   * rendered messages and tools) plus `max_tokens` does not fit gets a 400 naming both, and uses up no turn. One
   * number for every model, or by model id. The window is also served where hosts report it: `max_model_len` in
   * `GET /v1/models` (vLLM), `GET /props` (llama.cpp), `POST /api/show` (Ollama).
   */
  contextWindow?: number | Record<string, number>;
}

/** Chooses a reply when no queued turn matches; receives the parsed request body. */
export type ScriptedResponder = (body: ChatCompletionRequestBody) => ScriptedTurn;

/** The part of a chat completion request the server reads. */
export interface ChatCompletionRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content?: unknown }>;
  tools?: unknown[];
  response_format?: unknown;
  [key: string]: unknown;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Chat completion requests only, with parsed bodies. */
  readonly chatRequests: () => ChatCompletionRequestBody[];
  /**
   * Queues turns. With `model`, they serve only requests for that model id (tried before the shared queue).
   */
  enqueue(turns: ScriptedTurn | ScriptedTurn[], options?: { model?: string }): void;
  /** Queues results for `POST /v1/moderations`. */
  enqueueModeration(results: ScriptedModeration | ScriptedModeration[]): void;
  /** Serves every request no queued turn matches (for benchmarks and open-ended conversations). */
  respondWith(responder: ScriptedResponder | undefined): void;
  /** Turns still queued (shared queue plus per-model queues). */
  pendingTurns(): number;
  /** Chat requests refused with a 400 because they did not fit the enforced `contextWindow`, in order. */
  readonly windowRefusals: Array<{
    model: string | undefined;
    promptTokens: number;
    completionTokens: number;
  }>;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const defaultModels = [
  'meta-llama/Llama-4-Scout-17B-16E-Instruct',
  'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
  'meta-llama/Llama-Guard-4-12B',
];

/**
 * Starts an OpenAI-compatible HTTP server on 127.0.0.1 (random port) whose replies are scripted by the test:
 * `POST /v1/chat/completions` (JSON and SSE streaming, tools, usage, response_format), `GET /v1/models`, and a
 * Meta-style `POST /v1/moderations`. Faults (429, 5xx, dropped connections, stalls, malformed JSON) are turns too.
 *
 * @example
 * ```ts
 * const server = await startScriptedServer();
 * server.enqueue([{ content: 'safe' }]);
 * // point a client at server.url, then: await server.close();
 * ```
 */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sharedQueue: ScriptedTurn[] = [];
  const modelQueues = new Map<string, ScriptedTurn[]>();
  const moderationQueue: ScriptedModeration[] = [];
  const sockets = new Set<Socket>();
  let responder: ScriptedResponder | undefined;
  const windows = options.contextWindow;
  const models =
    options.models ?? (windows && typeof windows === 'object' ? Object.keys(windows) : defaultModels);
  const windowOf = (model: string | undefined): number | undefined =>
    typeof windows === 'number' ? windows : model === undefined ? undefined : windows?.[model];
  const windowRefusals: ScriptedServer['windowRefusals'] = [];

  const nextTurn = (body: ChatCompletionRequestBody): ScriptedTurn | undefined => {
    const forModel = body.model ? modelQueues.get(body.model) : undefined;
    if (forModel && forModel.length > 0) return forModel.shift();
    if (sharedQueue.length > 0) return sharedQueue.shift();
    return responder?.(body);
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(String(error), 'server_error'));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body, rawBody });

    if (request.method === 'GET' && path.endsWith('/models')) {
      const created = Math.floor(Date.now() / 1000);
      sendJson(response, 200, {
        object: 'list',
        data: models.map((id) => {
          const window = windowOf(id);
          return {
            id,
            object: 'model',
            created,
            owned_by: 'scripted',
            ...(window !== undefined ? { max_model_len: window } : {}),
          };
        }),
      });
      return;
    }
    if (request.method === 'GET' && path.endsWith('/props')) {
      const window = windowOf(models[0]);
      if (window === undefined) sendJson(response, 404, errorBody('no window is served', 'not_found'));
      else sendJson(response, 200, llamaCppProps({ window, model: models[0] ?? 'scripted' }));
      return;
    }
    if (request.method === 'POST' && path.endsWith('/api/show')) {
      const asked = body as { model?: unknown; name?: unknown } | undefined;
      const model = String(asked?.model ?? asked?.name ?? '');
      const window = windowOf(model);
      if (window === undefined) sendJson(response, 404, { error: `model '${model}' not found` });
      else sendJson(response, 200, ollamaShow({ window }));
      return;
    }
    if (request.method === 'POST' && path.endsWith('/moderations')) {
      const results = moderationQueue.length > 0 ? [moderationQueue.shift()!] : undefined;
      if (!results) {
        sendJson(response, 500, errorBody('scripted server: no moderation result queued', 'server_error'));
        return;
      }
      const model = (body as { model?: string } | undefined)?.model ?? 'Llama-Guard';
      sendJson(response, 200, { id: `modr-${randomUUID()}`, model, results });
      return;
    }
    if (request.method === 'POST' && path.endsWith('/chat/completions')) {
      if (typeof body !== 'object' || body === null) {
        sendJson(response, 400, errorBody('request body must be a JSON object', 'invalid_request_error'));
        return;
      }
      const chat = body as ChatCompletionRequestBody;
      const limit = windowOf(chat.model);
      if (limit !== undefined) {
        const use = measureRequest(chat);
        if (exceedsWindow({ limit, use })) {
          windowRefusals.push({ model: chat.model, ...use });
          sendJson(response, 400, vllmErrorBody(contextLengthMessage({ limit, use })));
          return;
        }
      }
      const turn = nextTurn(chat);
      if (!turn) {
        sendJson(response, 500, errorBody('scripted server: no turn left for this request', 'server_error'));
        return;
      }
      await serveTurn(turn, chat, request, response);
      return;
    }
    sendJson(response, 404, errorBody(`no route for ${request.method} ${path}`, 'not_found'));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () =>
      requests
        .filter((entry) => entry.path.endsWith('/chat/completions'))
        .map((entry) => entry.body as ChatCompletionRequestBody),
    enqueue(turns, enqueueOptions) {
      const list = Array.isArray(turns) ? turns : [turns];
      if (enqueueOptions?.model) {
        const queue = modelQueues.get(enqueueOptions.model) ?? [];
        queue.push(...list);
        modelQueues.set(enqueueOptions.model, queue);
      } else {
        sharedQueue.push(...list);
      }
    },
    enqueueModeration(results) {
      moderationQueue.push(...(Array.isArray(results) ? results : [results]));
    },
    respondWith(next) {
      responder = next;
    },
    windowRefusals,
    pendingTurns: () => sharedQueue.length + [...modelQueues.values()].reduce((sum, q) => sum + q.length, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serveTurn(
  turn: ScriptedTurn,
  body: ChatCompletionRequestBody,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!isScriptedFault(turn)) {
    if (body.stream) streamReply(turn, body, response);
    else sendJson(response, 200, completionBody(turn, body));
    return;
  }
  switch (turn.fault) {
    case 'rate_limit':
      response.setHeader('retry-after', String(turn.retryAfterSeconds ?? 0));
      sendJson(response, 429, errorBody('Rate limit reached, please retry', 'rate_limit_exceeded'));
      return;
    case 'server_error':
      sendJson(
        response,
        turn.status ?? 500,
        errorBody(turn.message ?? 'internal server error', 'server_error'),
      );
      return;
    case 'context_length': {
      const limit = turn.maxTokens ?? 131_072;
      const message = `This model's maximum context length is ${limit} tokens. However, you requested more tokens.`;
      sendJson(response, 400, errorBody(message, 'context_length_exceeded'));
      return;
    }
    case 'drop_connection':
      if (body.stream && turn.content) {
        startStream(response);
        const pieces = chunk(turn.content, 8).slice(0, turn.afterChunks ?? 1);
        const replyId = `chatcmpl-${randomUUID()}`;
        for (const piece of pieces) writeEvent(response, chunkBody(replyId, body, { content: piece }, null));
      }
      setTimeout(() => response.socket?.destroy(), 5);
      return;
    case 'stall': {
      const timer = setTimeout(() => {
        if (turn.then && !response.destroyed) void serveTurn(turn.then, body, request, response);
        else response.socket?.destroy();
      }, turn.ms);
      request.socket.once('close', () => clearTimeout(timer));
      return;
    }
    case 'malformed_json':
      if (body.stream) {
        startStream(response);
        response.write('data: {"id": "broken", "choices": [\n\n');
        response.end();
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "broken", "choices": [');
      }
      return;
  }
}

function completionBody(turn: ScriptedMessageTurn, body: ChatCompletionRequestBody) {
  const toolCalls = (turn.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index}_${randomUUID().slice(0, 8)}`,
    type: 'function' as const,
    function: { name: call.name, arguments: serializeArguments(call.arguments) },
  }));
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'scripted',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.content ?? (toolCalls.length > 0 ? null : ''),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason(turn),
        logprobs: null,
      },
    ],
    usage: usageFor(turn, body),
  };
}

function streamReply(turn: ScriptedMessageTurn, body: ChatCompletionRequestBody, response: ServerResponse) {
  // One id per reply, as real servers send: clients merge chunks, and messages, by id.
  const replyId = `chatcmpl-${randomUUID()}`;
  startStream(response);
  writeEvent(response, chunkBody(replyId, body, { role: 'assistant', content: '' }, null));
  for (const piece of chunk(turn.content ?? '', turn.chunkSize ?? 8)) {
    writeEvent(response, chunkBody(replyId, body, { content: piece }, null));
  }
  (turn.toolCalls ?? []).forEach((call, index) => {
    const id = call.id ?? `call_${index}_${randomUUID().slice(0, 8)}`;
    const argumentsText = serializeArguments(call.arguments);
    const [head = '', ...rest] = chunk(argumentsText, 16);
    writeEvent(
      response,
      chunkBody(
        replyId,
        body,
        { tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: head } }] },
        null,
      ),
    );
    for (const piece of rest) {
      writeEvent(
        response,
        chunkBody(replyId, body, { tool_calls: [{ index, function: { arguments: piece } }] }, null),
      );
    }
  });
  writeEvent(response, chunkBody(replyId, body, {}, finishReason(turn)));
  if (body.stream_options?.include_usage) {
    writeEvent(response, { ...chunkBody(replyId, body, {}, null), choices: [], usage: usageFor(turn, body) });
  }
  response.write('data: [DONE]\n\n');
  response.end();
}

function chunkBody(
  id: string,
  body: ChatCompletionRequestBody,
  delta: Record<string, unknown>,
  finish: string | null,
) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'scripted',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  };
}

function finishReason(turn: ScriptedMessageTurn): string {
  return turn.finishReason ?? ((turn.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

function usageFor(turn: ScriptedMessageTurn, body: ChatCompletionRequestBody) {
  if (turn.usage) {
    return {
      ...turn.usage,
      total_tokens: turn.usage.total_tokens ?? turn.usage.prompt_tokens + turn.usage.completion_tokens,
    };
  }
  const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const reply = (turn.content ?? '') + JSON.stringify(turn.toolCalls ?? []);
  const completion = Math.max(1, Math.ceil(reply.length / 4));
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function serializeArguments(value: string | Record<string, unknown>): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

function writeEvent(response: ServerResponse, data: unknown): void {
  response.write(`data: ${JSON.stringify(data)}\n\n`);
}

function chunk(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

function errorBody(message: string, type: string) {
  return { error: { message, type, code: type, param: null } };
}

/** The error body of vLLM's OpenAI-compatible server (nested under `error` since vLLM 0.10). */
function vllmErrorBody(message: string) {
  return { error: { message, type: 'BadRequestError', param: null, code: 400 } };
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}
