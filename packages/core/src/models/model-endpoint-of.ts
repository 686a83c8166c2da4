import type { ModelRoleName } from '../config/resolve-model-role.js';

/** Where a chat model built by Herd sends its calls, for error messages that name the provider and URL. */
export interface ModelEndpointDescription {
  /** The role the model serves. */
  role: ModelRoleName;
  /** Provider id from the configuration, e.g. `vllm`. */
  provider: string;
  /** Model id. */
  model: string;
  /** Base URL of the OpenAI-compatible API. */
  baseUrl: string;
  /** Time allowed for one call, in milliseconds. */
  timeoutMs: number;
  /** The window the host serves the model with, in tokens. */
  contextWindow?: number;
  /** The most tokens a reply may take. */
  maxOutputTokens?: number;
}

// Kept beside the model rather than on it, so callers that pass plain chat models to `invokeWithFallbacks`
// get named providers in errors without threading the endpoints through.
const endpoints = new WeakMap<object, ModelEndpointDescription>();

/** Options for {@link recordModelEndpoint}. */
export interface RecordModelEndpointOptions {
  /** The chat model. */
  model: object;
  /** Where it sends its calls. */
  endpoint: ModelEndpointDescription;
}

/** Remembers where a chat model sends its calls; {@link modelEndpointOf} reads it back. */
export function recordModelEndpoint(options: RecordModelEndpointOptions): void {
  endpoints.set(options.model, options.endpoint);
}

/** Where a chat model built by `createChatModel` sends its calls; `undefined` for any other model. */
export function modelEndpointOf(model: unknown): ModelEndpointDescription | undefined {
  return typeof model === 'object' && model !== null ? endpoints.get(model) : undefined;
}
