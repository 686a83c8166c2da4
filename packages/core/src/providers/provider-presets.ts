import type { ProviderPreset } from './provider-preset.js';

const scoutHf = 'meta-llama/Llama-4-Scout-17B-16E-Instruct';
const maverickHf = 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8';

/**
 * Built-in provider presets. Figures are the context windows each host actually serves, with sources in
 * `source`; a configuration can override any field. Groq is absent on purpose: it retired Llama 4 in 2026.
 */
export const providerPresets = {
  'llama-api': {
    label: 'Meta Llama API',
    baseUrl: 'https://api.llama.com/compat/v1',
    apiKeyEnv: 'LLAMA_API_KEY',
    requiresApiKey: true,
    models: {
      planner: 'Llama-4-Scout-17B-16E-Instruct-FP8',
      actor: 'Llama-4-Maverick-17B-128E-Instruct-FP8',
      // Served by the moderations API (`moderationsUrl`), whose default model this is (llama-api-typescript).
      llamaGuard: 'Llama-Guard',
    },
    limits: { default: { contextWindow: 128_000, maxOutputTokens: 4_096 } },
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: true,
    moderationsUrl: 'https://api.llama.com/v1/moderations',
    source: 'models.dev providers/llama; llama-api-typescript moderations.ts',
  },
  together: {
    label: 'Together AI',
    baseUrl: 'https://api.together.xyz/v1',
    apiKeyEnv: 'TOGETHER_API_KEY',
    requiresApiKey: true,
    // Llama Guard 4 over chat completions (together.ai/models/llama-guard-4-12b, as listed by truefoundry/models).
    models: { planner: scoutHf, actor: maverickHf, llamaGuard: 'meta-llama/Llama-Guard-4-12B' },
    limits: {
      [scoutHf]: { contextWindow: 327_680, maxOutputTokens: 16_384 },
      [maverickHf]: { contextWindow: 524_288, maxOutputTokens: 16_384 },
      default: { contextWindow: 131_072, maxOutputTokens: 8_192 },
    },
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: true,
    source: 'promptfoo.dev/docs/providers/togetherai',
  },
  fireworks: {
    label: 'Fireworks AI',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    apiKeyEnv: 'FIREWORKS_API_KEY',
    requiresApiKey: true,
    models: {
      planner: 'accounts/fireworks/models/llama4-scout-instruct-basic',
      actor: 'accounts/fireworks/models/llama4-maverick-instruct-basic',
    },
    // Fireworks does not publish the served window; 131,072 is a conservative figure until it is confirmed.
    limits: { default: { contextWindow: 131_072, maxOutputTokens: 16_384 } },
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: true,
    source: 'public client code (unconfirmed window)',
  },
  openrouter: {
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    requiresApiKey: true,
    models: {
      planner: 'meta-llama/llama-4-scout',
      actor: 'meta-llama/llama-4-maverick',
      llamaGuard: 'meta-llama/llama-guard-4-12b',
    },
    limits: {
      'meta-llama/llama-4-scout': { contextWindow: 327_680, maxOutputTokens: 16_384 },
      'meta-llama/llama-4-maverick': { contextWindow: 1_048_576, maxOutputTokens: 16_384 },
      'meta-llama/llama-guard-4-12b': { contextWindow: 163_840, maxOutputTokens: 1_024 },
      default: { contextWindow: 131_072, maxOutputTokens: 16_384 },
    },
    // Some OpenRouter routes return Llama 4 calls as text in the message (llama-api-python#31, vllm#17109).
    toolCalling: 'text',
    structuredOutput: 'text',
    images: true,
    source: 'models.dev providers/openrouter',
  },
  vllm: {
    label: 'vLLM (self-hosted)',
    baseUrl: 'http://127.0.0.1:8000/v1',
    apiKeyEnv: 'VLLM_API_KEY',
    requiresApiKey: false,
    // No Llama Guard id: a vLLM server serves one only if its owner started it; name it under
    // providers.vllm.models.llamaGuard (or roles.guard.llamaGuard.model) and the classifier turns on.
    models: { planner: scoutHf, actor: maverickHf },
    // The served window is whatever `--max-model-len` says; Herd reads it from /v1/models (max_model_len).
    limits: { default: { contextWindow: 131_072, maxOutputTokens: 8_192 } },
    servedWindowFrom: 'models',
    // Needs `--enable-auto-tool-choice --tool-call-parser llama4_pythonic`.
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: true,
    source: 'vLLM docs; window set by --max-model-len',
  },
  ollama: {
    label: 'Ollama (local)',
    baseUrl: 'http://127.0.0.1:11434/v1',
    apiKeyEnv: 'OLLAMA_API_KEY',
    requiresApiKey: false,
    // No Llama Guard id, as for vLLM: name the one you pulled under providers.ollama.models.llamaGuard.
    models: { planner: 'llama4:scout', actor: 'llama4:maverick' },
    // Ollama serves a small window unless OLLAMA_CONTEXT_LENGTH is raised (it does not report that one; a num_ctx
    // set on the model is read from /api/show). HERD_CONTEXT_WINDOW tells Herd the raised figure.
    limits: { default: { contextWindow: 8_192, maxOutputTokens: 2_048 } },
    servedWindowFrom: 'ollama-show',
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: true,
    source: 'Ollama OpenAI compatibility docs',
  },
  'llama-cpp': {
    label: 'llama.cpp server (local)',
    baseUrl: 'http://127.0.0.1:8080/v1',
    apiKeyEnv: 'LLAMA_CPP_API_KEY',
    requiresApiKey: false,
    models: { planner: 'llama-4-scout', actor: 'llama-4-maverick' },
    // llama-server serves the window given with `-c` (read from /props); tool calls need `--jinja`.
    limits: { default: { contextWindow: 8_192, maxOutputTokens: 2_048 } },
    servedWindowFrom: 'llama-cpp-props',
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: false,
    source: 'llama.cpp server README',
  },
  'openai-compatible': {
    label: 'OpenAI-compatible endpoint',
    baseUrl: 'http://127.0.0.1:8000/v1',
    apiKeyEnv: 'HERD_API_KEY',
    requiresApiKey: false,
    models: {},
    limits: { default: { contextWindow: 131_072, maxOutputTokens: 8_192 } },
    // Many self-hosted OpenAI-compatible servers are vLLM, which reports max_model_len.
    servedWindowFrom: 'models',
    toolCalling: 'native',
    structuredOutput: 'json_schema',
    images: false,
  },
} as const satisfies Record<string, ProviderPreset>;

/** Name of a built-in provider preset. */
export type ProviderPresetName = keyof typeof providerPresets;

/** Names of the built-in presets, in the order they are tried when detecting a provider from API keys. */
export const providerPresetNames = Object.keys(providerPresets) as ProviderPresetName[];
