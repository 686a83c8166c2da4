import { ChatOpenAI } from '@langchain/openai';
import type { ResolvedModelEndpoint, ResolvedModelRole } from '../config/resolve-model-role.js';
import { ConfigError } from '../errors/config-error.js';
import { createRedactingFetch } from '../secrets/redacting-fetch.js';
import { emptySecretDetector } from '../secrets/secret-detector.js';
import { createSecretRedactor, type SecretRedactor } from '../secrets/secret-redactor.js';
import { recordModelEndpoint } from './model-endpoint-of.js';
import { ServedWindowCompletions } from './served-window-completions.js';

/** Options for {@link createChatModel}. */
export interface CreateChatModelOptions {
  /** The resolved role (its primary model is used) or one of its fallbacks plus the role's call settings. */
  role: ResolvedModelRole;
  /** A fallback endpoint of the role to build instead of the primary model. */
  endpoint?: ResolvedModelEndpoint;
  /** Environment the API key is read from at each call; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Stream tokens (and usage) instead of waiting for the whole reply. */
  streaming?: boolean;
  /**
   * Takes secrets out of every request body before it is sent. Default: the values of the environment's secret
   * variables, read at each call. (Secrets found by their shape in what a model reads are the guard policy's to
   * judge, so they are not removed here.)
   */
  redactor?: SecretRedactor;
}

/**
 * Builds a LangChain chat model for a role over the OpenAI-compatible API of its provider.
 *
 * The API key is read from the provider's key variable at every call and is never stored on the model, so it
 * cannot end up in a log, an event or a saved session; the values of secret variables are redacted from every request
 * body before it is sent, so no key reaches a provider inside a prompt. Retries on 429, 5xx and dropped connections use
 * LangChain's backoff; the call timeout is the role's `timeoutMs`.
 *
 * @throws {ConfigError} when the provider requires a key and its variable is not set.
 */
export function createChatModel(options: CreateChatModelOptions): ChatOpenAI {
  const { role } = options;
  const endpoint = options.endpoint ?? role;
  const env = options.env ?? process.env;
  if (endpoint.requiresApiKey && !env[endpoint.apiKeyEnv]) {
    throw new ConfigError({
      source: 'environment',
      code: 'api_key_missing',
      issues: [{ path: endpoint.apiKeyEnv, message: 'not set' }],
      message: `The ${role.role} model on '${endpoint.provider}' needs an API key, but ${endpoint.apiKeyEnv} is not set; export ${endpoint.apiKeyEnv}=<your key>, or choose a local provider (vllm, ollama, llama-cpp).`,
    });
  }
  // Local servers ignore the key, but the OpenAI client insists on one.
  const apiKey = async () => env[endpoint.apiKeyEnv] || 'no-key';
  const fields = {
    model: endpoint.model,
    temperature: role.temperature,
    maxTokens: endpoint.maxOutputTokens,
    timeout: role.timeoutMs,
    maxRetries: role.retries,
    // `streaming: false` would also disable `.stream()`, so the flag is only ever set to true.
    ...(options.streaming ? { streaming: true } : {}),
    streamUsage: true,
    configuration: {
      baseURL: endpoint.baseUrl,
      apiKey,
      fetch: createRedactingFetch(
        options.redactor ?? (() => createSecretRedactor({ env, detector: emptySecretDetector })),
      ),
    },
  };
  // Per-call max_tokens and Llama-template-friendly messages (see ServedWindowCompletions).
  const model = new ChatOpenAI({ ...fields, completions: new ServedWindowCompletions(fields) });
  recordModelEndpoint({
    model,
    endpoint: {
      role: role.role,
      provider: endpoint.provider,
      model: endpoint.model,
      baseUrl: endpoint.baseUrl,
      timeoutMs: role.timeoutMs,
      contextWindow: endpoint.contextWindow,
      maxOutputTokens: endpoint.maxOutputTokens,
    },
  });
  return model;
}

/** The role's primary model followed by one model per fallback, in order. */
export function createChatModelChain(options: Omit<CreateChatModelOptions, 'endpoint'>): ChatOpenAI[] {
  return [
    createChatModel(options),
    ...options.role.fallbacks.map((endpoint) => createChatModel({ ...options, endpoint })),
  ];
}
