import { ModelBehaviorError, SystemError } from '@herd/core';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { isLlamaGuardCategoryCode, llamaGuardCategories } from './llama-guard-categories.js';
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

/** Options for {@link createLlamaGuardClassifier}: exactly one of `chatModel` and `moderations`. */
export interface LlamaGuardClassifierOptions {
  /** A chat model serving Llama Guard (e.g. `createChatModel` of the `guard.llamaGuard` role). */
  chatModel?: BaseChatModel;
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
 * @throws ModelBehaviorError `llama_guard_unparseable` from `classify` when the answer cannot be parsed;
 *   SystemError `llama_guard_timeout` or `llama_guard_failed` when the call fails. The guard maps both to the
 *   point's `onError` action.
 */
export function createLlamaGuardClassifier(options: LlamaGuardClassifierOptions): LlamaGuardClassifier {
  const { chatModel, moderations, timeoutMs = 30_000 } = options;
  if (Boolean(chatModel) === Boolean(moderations)) {
    throw new SystemError({
      code: 'llama_guard_misconfigured',
      message: 'createLlamaGuardClassifier needs exactly one of chatModel and moderations; pass one.',
    });
  }
  const label =
    options.label ?? (moderations ? `moderations:${moderations.url}:${moderations.model ?? ''}` : 'chat');
  const failed = (error: unknown, signal: AbortSignal) => {
    if (ModelBehaviorError.isInstance(error)) return error;
    if (signal.aborted) {
      return new SystemError({
        code: 'llama_guard_timeout',
        message: `Llama Guard (${label}) did not answer within ${timeoutMs} ms; raise roles.guard.llamaGuard.timeoutMs or check the provider.`,
        cause: error,
      });
    }
    return new SystemError({
      code: 'llama_guard_failed',
      message: `Llama Guard (${label}) failed: ${error instanceof Error ? error.message : String(error)}; check the provider and the guard.llamaGuard role.`,
      cause: error,
    });
  };

  async function viaChat(
    model: BaseChatModel,
    conversation: LlamaGuardConversation,
  ): Promise<LlamaGuardVerdict> {
    const messages: BaseMessage[] = [new HumanMessage({ content: userContent(conversation) })];
    if (conversation.agent !== undefined) messages.push(new AIMessage(conversation.agent));
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    try {
      const reply = await model.invoke(messages, { signal });
      text = reply.text;
    } catch (error) {
      throw failed(error, signal);
    }
    const parsed = parseLlamaGuardOutput(text);
    return named(parsed.safe, parsed.codes);
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
    let body: unknown;
    let raw = '';
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ messages, ...(endpoint.model ? { model: endpoint.model } : {}) }),
        signal,
      });
      raw = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${raw.slice(0, 200)}`);
      body = JSON.parse(raw);
    } catch (error) {
      throw failed(error, signal);
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
        ? viaChat(chatModel, conversation)
        : viaModerations(moderations as LlamaGuardModerationsEndpoint, conversation),
  };
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
