import { startScriptedServer } from '@herd/test-support';
import { useScriptedServer } from '@herd/test-support/vitest';
import { ChatOpenAI } from '@langchain/openai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

const server = useScriptedServer();

// A generous timeout: on a loaded machine a local answer can take seconds, and no test here waits for it to pass.
const client = () => new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0, timeout: 10_000 });

describe('scripted OpenAI-compatible server, seen through the official openai SDK', () => {
  it('lists models', async () => {
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('meta-llama/Llama-4-Scout-17B-16E-Instruct');
  });

  it('answers a chat completion with tool calls and usage', async () => {
    server.enqueue({
      toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }],
      usage: { prompt_tokens: 9, completion_tokens: 4 },
    });
    const completion = await client().chat.completions.create({
      model: 'maverick',
      messages: [{ role: 'user', content: 'read a.ts' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'read_file',
            parameters: { type: 'object', properties: { path: { type: 'string' } } },
          },
        },
      ],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('read_file');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ path: 'a.ts' });
    expect(completion.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
    expect(server.chatRequests()[0]?.tools).toHaveLength(1);
  });

  it('streams content and tool-call deltas over SSE, with usage at the end', async () => {
    server.enqueue({
      content: 'Looking at the file.',
      toolCalls: [{ name: 'search', arguments: { query: 'needle in the haystack' } }],
    });
    const stream = await client().chat.completions.create({
      model: 'maverick',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let argumentsText = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      argumentsText += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage ??= chunk.usage ?? undefined;
    }
    expect(text).toBe('Looking at the file.');
    expect(JSON.parse(argumentsText)).toEqual({ query: 'needle in the haystack' });
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('returns Llama 4 pythonic tool calls inside the content when scripted so', async () => {
    server.enqueue({ content: '[get_weather(city="SF", days=3)]' });
    const completion = await client().chat.completions.create({
      model: 'scout',
      messages: [{ role: 'user', content: 'weather' }],
    });
    expect(completion.choices[0]?.message.content).toBe('[get_weather(city="SF", days=3)]');
  });

  it('records the response_format a client asked for', async () => {
    server.enqueue({ content: '{"summary":"x"}' });
    await client().chat.completions.create({
      model: 'scout',
      messages: [{ role: 'user', content: 'plan' }],
      response_format: { type: 'json_schema', json_schema: { name: 'plan', schema: { type: 'object' } } },
    });
    expect(server.chatRequests()[0]?.response_format).toMatchObject({ type: 'json_schema' });
  });

  it('injects a 429 with retry-after', async () => {
    server.enqueue({ fault: 'rate_limit', retryAfterSeconds: 7 });
    const error = await client()
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
  });

  it('drops the connection in the middle of a stream', async () => {
    server.enqueue({ fault: 'drop_connection', content: 'partial reply that never ends', afterChunks: 2 });
    const stream = await client().chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let received = '';
    const outcome = await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(received).toBe('partial reply tha'.slice(0, 16));
    expect(outcome).toBeInstanceOf(Error);
  });

  it('answers with malformed JSON when told to', async () => {
    server.enqueue({ fault: 'malformed_json' });
    await expect(
      client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
  });

  it('serves Meta-style moderations', async () => {
    server.enqueueModeration({ flagged: true, flagged_categories: ['S1'] });
    const response = await fetch(`${server.url}/moderations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(await response.json()).toMatchObject({ results: [{ flagged: true, flagged_categories: ['S1'] }] });
  });

  it('says plainly when a test forgot to script a turn', async () => {
    await expect(
      client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow(/no turn left/);
  });
});

describe('scripted OpenAI-compatible server, seen through @langchain/openai', () => {
  it('serves a LangChain tool call', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_1', name: 'git_status', arguments: {} }] });
    const model = new ChatOpenAI({
      model: 'maverick',
      apiKey: 'k',
      configuration: { baseURL: server.url },
      maxRetries: 0,
    });
    const reply = await model
      .bindTools([
        {
          type: 'function',
          function: {
            name: 'git_status',
            description: 'status',
            parameters: { type: 'object', properties: {} },
          },
        },
      ])
      .invoke('status?');
    expect(reply.tool_calls).toEqual([
      expect.objectContaining({ id: 'call_1', name: 'git_status', args: {} }),
    ]);
  });

  it('serves a Llama Guard verdict', async () => {
    server.enqueue({ content: 'unsafe\nS14' });
    const model = new ChatOpenAI({
      model: 'meta-llama/Llama-Guard-4-12B',
      apiKey: 'k',
      configuration: { baseURL: server.url },
      maxRetries: 0,
    });
    const reply = await model.invoke('rm -rf / --no-preserve-root in the sandbox please');
    expect(reply.content).toBe('unsafe\nS14');
  });
});

describe('scripted server enforcing a served window, as vLLM does', () => {
  it('refuses prompt + max_tokens past the window with a 400 naming both, and spends no turn', async () => {
    const windowed = await startScriptedServer({ models: ['maverick'], contextWindow: 1_000 });
    try {
      windowed.enqueue({ content: 'fits' });
      const sdk = new OpenAI({ baseURL: windowed.url, apiKey: 'k', maxRetries: 0, timeout: 10_000 });
      const refused = sdk.chat.completions.create({
        model: 'maverick',
        max_tokens: 500,
        messages: [{ role: 'user', content: 'word '.repeat(600) }],
      });
      await expect(refused).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(
          /maximum context length is 1000 tokens\. However, you requested \d+ tokens \(\d+ in the messages, 500 in the completion\)/,
        ),
      });
      expect(windowed.windowRefusals).toEqual([
        { model: 'maverick', promptTokens: expect.any(Number), completionTokens: 500 },
      ]);
      expect(windowed.pendingTurns()).toBe(1);
      const fits = await sdk.chat.completions.create({
        model: 'maverick',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'word '.repeat(600) }],
      });
      expect(fits.choices[0]?.message.content).toBe('fits');
    } finally {
      await windowed.close();
    }
  });

  it('reports the window as vLLM, llama.cpp and Ollama do', async () => {
    const windowed = await startScriptedServer({ contextWindow: { 'llama4:maverick': 32_768 } });
    try {
      const root = windowed.url.replace(/\/v1$/, '');
      const models = (await (await fetch(`${windowed.url}/models`)).json()) as {
        data: Array<{ id: string; max_model_len?: number }>;
      };
      expect(models.data).toEqual([
        expect.objectContaining({ id: 'llama4:maverick', max_model_len: 32_768 }),
      ]);
      const props = (await (await fetch(`${root}/props`)).json()) as {
        default_generation_settings: { n_ctx: number };
      };
      expect(props.default_generation_settings.n_ctx).toBe(32_768);
      const show = await fetch(`${root}/api/show`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama4:maverick' }),
      });
      expect(((await show.json()) as { parameters: string }).parameters).toMatch(/num_ctx\s+32768/);
    } finally {
      await windowed.close();
    }
  });
});
