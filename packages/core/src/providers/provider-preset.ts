import { z } from 'zod';

/** How a host returns Llama 4 tool calls: as OpenAI `tool_calls`, or as pythonic/JSON text inside the message. */
export const ToolCallingSchema = z.enum(['native', 'text']);
/** How a host returns Llama 4 tool calls. */
export type ToolCalling = z.infer<typeof ToolCallingSchema>;

/** How a host can be made to answer with JSON of a given shape: `response_format` JSON Schema, a forced tool call, or neither. */
export const StructuredOutputSchema = z.enum(['json_schema', 'tool', 'text']);
/** How a host can be made to answer with JSON of a given shape. */
export type StructuredOutput = z.infer<typeof StructuredOutputSchema>;

/**
 * Where a host reports the context window it serves: vLLM's `GET /v1/models` (`max_model_len`), llama.cpp's
 * `GET /props` (`default_generation_settings.n_ctx`), Ollama's `POST /api/show` (`num_ctx`), or nowhere.
 */
export const ServedWindowSourceSchema = z.enum(['models', 'llama-cpp-props', 'ollama-show', 'none']);
/** Where a host reports the context window it serves. */
export type ServedWindowSource = z.infer<typeof ServedWindowSourceSchema>;

/** The model ids a provider offers for each Herd role. */
export const PresetModelsSchema = z.object({
  /** Llama 4 Scout, the planner. */
  planner: z.string().min(1).optional(),
  /** Llama 4 Maverick, the actor. */
  actor: z.string().min(1).optional(),
  /** Llama Guard 4. */
  llamaGuard: z.string().min(1).optional(),
});

/** What one model on a provider serves. */
export const ServedLimitsSchema = z.object({
  /** Context window the provider actually serves, in tokens (not the model's marketing figure). */
  contextWindow: z.number().int().positive(),
  /** Largest completion the provider allows, in tokens. */
  maxOutputTokens: z.number().int().positive(),
});
/** What one model on a provider serves. */
export type ServedLimits = z.infer<typeof ServedLimitsSchema>;

/** A provider preset: everything Herd needs to reach a host over the OpenAI-compatible API. */
export const ProviderPresetSchema = z.object({
  /** Human-readable name. */
  label: z.string().min(1),
  /** Base URL of the OpenAI-compatible API, ending before `/chat/completions`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Environment variable holding the API key; read at call time, never stored. */
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as MY_API_KEY'),
  /** Whether a request without a key is refused by this host (local servers usually take none). */
  requiresApiKey: z.boolean(),
  /** Model ids for the roles this provider offers. */
  models: PresetModelsSchema,
  /** Served limits by model id; `default` applies to ids not listed. */
  limits: z.record(z.string(), ServedLimitsSchema),
  /** Whether Llama 4 tool calls come back as `tool_calls` or inside the text. */
  toolCalling: ToolCallingSchema,
  /** How to obtain JSON of a given shape (the plan) from this host. */
  structuredOutput: StructuredOutputSchema,
  /** Whether the host accepts image parts in user messages. */
  images: z.boolean(),
  /**
   * Where to ask the host for the window it serves when the configuration sets none (asked once per process);
   * default `none`.
   */
  servedWindowFrom: ServedWindowSourceSchema.optional(),
  /** URL of a Meta-style `POST /v1/moderations` endpoint, where the host has one. */
  moderationsUrl: z.url().optional(),
  /** Where the figures above come from. */
  source: z.string().optional(),
});

/** A provider preset. */
export type ProviderPreset = z.infer<typeof ProviderPresetSchema>;

/** Field-by-field overrides of a preset; `extends` names the preset a new provider starts from. */
export const ProviderOverrideSchema = ProviderPresetSchema.partial()
  .extend({
    /** The preset this provider starts from; defaults to the preset of the same name, else `openai-compatible`. */
    extends: z.string().min(1).optional(),
    models: PresetModelsSchema.optional(),
  })
  .strict();

/** Field-by-field overrides of a preset. */
export type ProviderOverride = z.infer<typeof ProviderOverrideSchema>;
