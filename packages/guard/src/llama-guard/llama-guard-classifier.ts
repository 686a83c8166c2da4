import { ModelBehaviorError, ProviderError, SystemError, type TokenUsage } from '@herd/core';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { z } from 'zod';
import { isLlamaGuardCategoryCode, llamaGuardCategories } from './llama-guard-categories.js';
import { llamaGuardProviderError } from './llama-guard-provider-error.js';
import { parseLlamaGuardOutput } from './parse-llama-guard-output.js';

/** Meta's `POST /v1/moderations` endpoint. */
export interface LlamaGuardModerationsEndpoint {
  /** Full URL, e.g. `https://api.llama.com/v1/moderations`. */
  url: string;
  /** Environment variable holding the API key (read at each call); omitted means no key is sent. */
  apiKeyEnv?: string;
  /** Model id; omitted lets the API choose (`Llama-Guard`). */
  model?: string;
}

/** One call to the Llama Guard provider, for metering (a run turns it into a `model-call` event). */
export interface LlamaGuardCall {
  /** Provider id, e.g. `together`. */
  provider: string;
  /** Model id. */
  model: string;
  /** Tokens, when the provider reported them (the moderations API does not). */
  usage?: TokenUsage;
  /** Time the call took, in milliseconds. */
  latencyMs: number;
  /** `fallback` when the next model of the chain is tried after this one failed. */
  outcome: 'ok' | 'error' | 'fallback';
  /** The provider's words, when the call failed. */
  error?: string;
}

/** Which provider and model a chat model of the chain is, for metering and errors. */
export interface LlamaGuardEndpoint {
  provider: string;
  model: string;
}

/** Options for {@link createLlamaGuardClassifier}: exactly one of `chatModel` and `moderations`. */
export interface LlamaGuardClassifierOptions {
  /** A chat model serving Llama Guard (e.g. `createChatModel` of the `guard.llamaGuard` role). */
  chatModel?: BaseChatModel;
  /** Models tried in order when `chatModel` fails with a provider error (the role's fallbacks). */
  fallbackModels?: readonly BaseChatModel[];
  /** Provider and model of `chatModel` then of each fallback, in order; named in `onCall` and in errors. */
  endpoints?: readonly LlamaGuardEndpoint[];
  /** Told about every provider call (metering: usage, cost, the model-call limit). */
  onCall?: (call: LlamaGuardCall) => void;
  /** Or Meta's moderations API. */
  moderations?: LlamaGuardModerationsEndpoint;
  /** Time allowed per check, in milliseconds; defaults to 30,000. */
  timeoutMs?: number;
  /** Names the model in the cache fingerprint and in errors, e.g. `openrouter/meta-llama/llama-guard-4-12b`. */
  label?: string;
  /** Environment for the moderations API key; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** What to check: the user turn alone (input), or the user turn plus the agent's reply (output). */
export interface LlamaGuardConversation {
  /** The user turn. */
  user: string;
  /** The agent's reply; when present, the reply is what is judged. */
  agent?: string;
  /** Images of the user turn (URLs or `data:` URLs); Llama Guard 4 is multimodal and judges them with the text. */
  images?: readonly string[];
}

/** Llama Guard's verdict. */
export interface LlamaGuardVerdict {
  /** Whether the judged turn is safe. */
  safe: boolean;
  /** Violated categories: codes `S1`..`S14`, or the provider's names when it returns names. */
  categories: string[];
  /** The same categories as names, e.g. `Indiscriminate Weapons`. */
  categoryNames: string[];
}

/** Llama Guard 4 behind an OpenAI-compatible chat API or Meta's moderations API. */
export interface LlamaGuardClassifier {
  /** Names the model (cache fingerprint). */
  label: string;
  /** Judges the last turn of the conversation. */
  classify(conversation: LlamaGuardConversation): Promise<LlamaGuardVerdict>;
}

const ModerationsResponseSchema = z.object({
  results: z
    .array(z.object({ flagged: z.boolean(), flagged_categories: z.array(z.string()).nullish() }).loose())
    .min(1),
});

/**
 * Builds the Llama Guard classifier. Over chat completions it sends the conversation as chat messages (the server
 * applies Llama Guard's template) and parses `safe` / `unsafe\nS1,S9`; over moderations it posts `{ messages,
 * model }` and reads `results[0].flagged` and `flagged_categories`.
 *
 * Chat calls run outside the caller's LangChain context: a check made inside an agent's middleware must not
 * inherit the agent's callbacks, or Llama Guard's `safe` would be streamed as if the agent had said it.
 *
 * @throws ModelBehaviorError `llama_guard_unparseable` from `classify` when the answer cannot be parsed;
 *   ProviderError `llama_guard_timeout` or `llama_guard_failed` (with the provider's words and the fix) when the
 *   provider fails. The guard stops the run with these when the point fails closed, never calling them a block.
 */
export function createLlamaGuardClassifier(options: LlamaGuardClassifierOptions): LlamaGuardClassifier {
  const { chatModel, moderations, timeoutMs = 30_000, onCall } = options;
  if (Boolean(chatModel) === Boolean(moderations)) {
    throw new SystemError({
      code: 'llama_guard_misconfigured',
      message: 'createLlamaGuardClassifier needs exactly one of chatModel and moderations; pass one.',
    });
  }
  const label =
    options.label ?? (moderations ? `moderations:${moderations.url}:${moderations.model ?? ''}` : 'chat');
  const endpointAt = (index: number): LlamaGuardEndpoint =>
    options.endpoints?.[index] ?? {
      provider: moderations ? 'moderations' : 'llama-guard',
      model: moderations?.model ?? label,
    };
  const failed = (error: unknown, signal: AbortSignal, index: number) => {
    if (ModelBehaviorError.isInstance(error) || ProviderError.isInstance(error)) return error;
    return llamaGuardProviderError({
      error,
      label,
      endpoint: endpointAt(index),
      timedOut: signal.aborted,
      timeoutMs,
    });
  };

  async function viaChat(
    models: readonly BaseChatModel[],
    conversation: LlamaGuardConversation,
  ): Promise<LlamaGuardVerdict> {
    const messages: BaseMessage[] = [new HumanMessage({ content: userContent(conversation) })];
    if (conversation.agent !== undefined) messages.push(new AIMessage(conversation.agent));
    for (let index = 0; ; index++) {
      const model = models[index] as BaseChatModel;
      const endpoint = endpointAt(index);
      const signal = AbortSignal.timeout(timeoutMs);
      const started = performance.now();
      let text: string;
      try {
        // Outside the caller's LangChain context (its callbacks, its run tree): see the function's comment.
        const reply = await AsyncLocalStorageProviderSingleton.getInstance().run(undefined, () =>
          model.invoke(messages, { signal, callbacks: [] }),
        );
        text = reply.text;
        const usage = reply.usage_metadata;
        onCall?.({
          ...endpoint,
          latencyMs: performance.now() - started,
          outcome: 'ok',
          ...(usage
            ? {
                usage: {
                  inputTokens: usage.input_tokens,
                  outputTokens: usage.output_tokens,
                  totalTokens: usage.total_tokens,
                },
              }
            : {}),
        });
      } catch (error) {
        const last = index === models.length - 1;
        const problem = failed(error, signal, index);
        onCall?.({
          ...endpoint,
          latencyMs: performance.now() - started,
          outcome: last ? 'error' : 'fallback',
          error: problem.message,
        });
        if (last) throw problem;
        continue;
      }
      const parsed = parseLlamaGuardOutput(text);
      return named(parsed.safe, parsed.codes);
    }
  }

  async function viaModerations(
    endpoint: LlamaGuardModerationsEndpoint,
    conversation: LlamaGuardConversation,
  ): Promise<LlamaGuardVerdict> {
    const env = options.env ?? process.env;
    const key = endpoint.apiKeyEnv ? env[endpoint.apiKeyEnv] : undefined;
    const messages: Array<{ role: string; content: ReturnType<typeof userContent> }> = [
      { role: 'user', content: userContent(conversation) },
    ];
    if (conversation.agent !== undefined) messages.push({ role: 'assistant', content: conversation.agent });
    const signal = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    let body: unknown;
    let raw = '';
    let status: number | undefined;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ messages, ...(endpoint.model ? { model: endpoint.model } : {}) }),
        signal,
      });
      raw = await response.text();
      status = response.status;
      if (!response.ok) throw Object.assign(new Error(providerWords(raw)), { status });
      body = JSON.parse(raw);
      onCall?.({ ...endpointAt(0), latencyMs: performance.now() - started, outcome: 'ok' });
    } catch (error) {
      const problem = failed(error, signal, 0);
      onCall?.({
        ...endpointAt(0),
        latencyMs: performance.now() - started,
        outcome: 'error',
        error: problem.message,
      });
      throw problem;
    }
    const parsed = ModerationsResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ModelBehaviorError({
        code: 'llama_guard_unparseable',
        output: raw,
        message: `The moderations API at '${endpoint.url}' answered without results[].flagged; check that it is Meta's moderations API.`,
      });
    }
    const result = parsed.data.results[0] as { flagged: boolean; flagged_categories?: string[] | null };
    return named(!result.flagged, result.flagged_categories ?? []);
  }

  return {
    label,
    classify: (conversation) =>
      chatModel
        ? viaChat([chatModel, ...(options.fallbackModels ?? [])], conversation)
        : viaModerations(moderations as LlamaGuardModerationsEndpoint, conversation),
  };
}

/** The error message an HTTP error body carries (`{"error": {"message": …}}` or plain text), cut short. */
function providerWords(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof parsed.error === 'string'
        ? parsed.error
        : typeof parsed.error?.message === 'string'
          ? parsed.error.message
          : typeof parsed.message === 'string'
            ? parsed.message
            : undefined;
    if (message) return message.slice(0, 300);
  } catch {
    // Not JSON: the text itself is the provider's words.
  }
  return raw.trim().slice(0, 300) || 'no message';
}

function named(safe: boolean, categories: readonly string[]): LlamaGuardVerdict {
  return {
    safe,
    categories: [...categories],
    categoryNames: categories.map((category) =>
      isLlamaGuardCategoryCode(category) ? llamaGuardCategories[category] : category,
    ),
  };
}

/** The user turn as text, or as text plus image parts when it carries images. */
function userContent(conversation: LlamaGuardConversation) {
  if (!conversation.images || conversation.images.length === 0) return conversation.user;
  return [
    { type: 'text' as const, text: conversation.user },
    ...conversation.images.map((url) => ({ type: 'image_url' as const, image_url: { url } })),
  ];
}
