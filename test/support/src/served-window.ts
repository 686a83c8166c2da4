import { createRequire } from 'node:module';

/** A chat completion request as far as the window check reads it. */
export interface WindowedRequest {
  model?: string;
  messages?: Array<{ role: string; content?: unknown; tool_calls?: unknown; name?: unknown }>;
  tools?: unknown[];
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

/** What a request costs against a served window. */
export interface WindowUse {
  /** o200k tokens of the rendered prompt: messages, their tool calls, and the tool definitions. */
  promptTokens: number;
  /** Tokens the request asks to generate (`max_tokens`), or 0 when it sets none. */
  completionTokens: number;
}

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;
const require = createRequire(import.meta.url);
let countTokens: CountTokens | undefined;
const plainText = { disallowedSpecial: new Set<string>() };

/** o200k tokens of a text; loaded on first use (the ranks take a few hundred milliseconds). */
export function o200kTokens(text: string): number {
  countTokens ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  return countTokens(text, plainText);
}

// Header and end tokens a chat template adds around each message (Llama 4: header start, role, header end, eot).
const perMessageTokens = 4;

/**
 * Measures a request the way a vLLM-like host does before it runs: the chat template renders every message (its
 * text, its tool calls) and the tool definitions into one prompt, and `max_tokens` is added to it.
 */
export function measureRequest(body: WindowedRequest): WindowUse {
  let promptTokens = 0;
  for (const message of body.messages ?? []) {
    promptTokens += perMessageTokens + o200kTokens(textOf(message.content));
    if (message.tool_calls !== undefined) promptTokens += o200kTokens(JSON.stringify(message.tool_calls));
  }
  if (body.tools && body.tools.length > 0) promptTokens += o200kTokens(JSON.stringify(body.tools));
  const asked = body.max_tokens ?? body.max_completion_tokens;
  return { promptTokens, completionTokens: typeof asked === 'number' ? asked : 0 };
}

/**
 * The message vLLM's OpenAI server answers with (HTTP 400) when prompt plus completion exceed `--max-model-len`.
 */
export function contextLengthMessage(input: { limit: number; use: WindowUse }): string {
  const { limit, use } = input;
  const total = use.promptTokens + use.completionTokens;
  return `This model's maximum context length is ${limit} tokens. However, you requested ${total} tokens (${use.promptTokens} in the messages, ${use.completionTokens} in the completion). Please reduce the length of the messages or completion.`;
}

/** True when the request does not fit the window: vLLM refuses a prompt that leaves no room, or prompt + max_tokens past it. */
export function exceedsWindow(input: { limit: number; use: WindowUse }): boolean {
  const { limit, use } = input;
  return use.promptTokens >= limit || use.promptTokens + use.completionTokens > limit;
}

/** llama.cpp server's `GET /props`: the per-slot window is `default_generation_settings.n_ctx`. */
export function llamaCppProps(input: { window: number; model: string }) {
  return {
    default_generation_settings: { n_ctx: input.window, params: { n_predict: -1 } },
    total_slots: 1,
    model_path: `/models/${input.model}.gguf`,
    chat_template: '',
    build_info: 'scripted',
  };
}

/**
 * Ollama's `POST /api/show`: the model's trained length in `model_info["<arch>.context_length"]`, and the window it
 * is served with as `num_ctx` in `parameters` (when set, as `OLLAMA_CONTEXT_LENGTH` or a Modelfile would).
 */
export function ollamaShow(input: { window: number; trainedWindow?: number }) {
  return {
    license: '',
    modelfile: '# scripted',
    parameters: `num_ctx                        ${input.window}\nstop                           "<|eot|>"`,
    template: '',
    details: { format: 'gguf', family: 'llama4', parameter_size: '17B', quantization_level: 'Q4_K_M' },
    model_info: {
      'general.architecture': 'llama4',
      'llama4.context_length': input.trainedWindow ?? 10_485_760,
    },
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}
