import { z } from 'zod';
import { ProviderOverrideSchema } from '../providers/provider-preset.js';

/** A model to fall back to, in order, when the role's own model fails with 429, 5xx or a timeout. */
export const FallbackConfigSchema = z
  .object({
    /** Provider id (a preset name or a key of `providers`); defaults to the role's provider. */
    provider: z.string().min(1).optional(),
    /** Model id on that provider. */
    model: z.string().min(1),
    /** Served context window, when it differs from the provider's figure. */
    contextWindow: z.number().int().positive().optional(),
    /** Largest completion, when it differs from the provider's figure. */
    maxOutputTokens: z.number().int().positive().optional(),
  })
  .strict();

/** A model role: which provider and model, and how to call it. */
export const ModelRoleConfigSchema = z
  .object({
    /** Provider id (a preset name or a key of `providers`); defaults to the top-level `provider`. */
    provider: z.string().min(1).optional(),
    /** Model id; defaults to the provider preset's model for this role. */
    model: z.string().min(1).optional(),
    /** Context window the provider serves for this model, in tokens. */
    contextWindow: z.number().int().positive().optional(),
    /** Largest completion to ask for, in tokens. */
    maxOutputTokens: z.number().int().positive().optional(),
    /** Sampling temperature. */
    temperature: z.number().min(0).max(2).optional(),
    /** Time allowed for one model call, in milliseconds. */
    timeoutMs: z.number().int().positive().optional(),
    /** Retries on 429, 5xx and dropped connections, with exponential backoff. */
    retries: z.number().int().min(0).max(10).optional(),
    /** Models tried in order when this one keeps failing. */
    fallbacks: z.array(FallbackConfigSchema).optional(),
  })
  .strict();

/** Prompt Guard 2 runs locally from an ONNX export on disk. */
export const PromptGuardConfigSchema = z
  .object({
    /** Directory holding `model.onnx` (or a quantized variant), `tokenizer.json` and `config.json`. */
    modelPath: z.string().min(1),
    /** ONNX file inside the directory; defaults to the int8 `model.quant.onnx` or `model_quantized.onnx`, else `model.onnx`. */
    modelFile: z.string().min(1).optional(),
    /** Worker threads running Prompt Guard, each with its own session; defaults to one per core, at most 4. */
    workers: z.number().int().positive().max(64).optional(),
    /** onnxruntime intra-op threads of each worker's session; defaults to the cores divided by the workers. */
    threads: z.number().int().positive().optional(),
    /** Tokens shared by neighbouring 512-token windows, so an injection cannot hide across a boundary; default 64. */
    overlapTokens: z.number().int().min(0).max(256).optional(),
    /** Padded tokens per batch of windows; default 2,048. */
    batchTokens: z.number().int().min(512).optional(),
    /** Remove whitespace before scoring, as LlamaFirewall does; default false. */
    compactWhitespace: z.boolean().optional(),
  })
  .strict();

/** Llama Guard 4 through an OpenAI-compatible provider, by chat completions or a Meta-style moderations API. */
export const LlamaGuardConfigSchema = ModelRoleConfigSchema.extend({
  /** `chat` sends the conversation to `/chat/completions`; `moderations` uses `POST /v1/moderations`. */
  api: z.enum(['chat', 'moderations']).optional(),
}).strict();

/** The guard roles. */
export const GuardRolesConfigSchema = z
  .object({
    /**
     * Prompt Guard 2 (local ONNX classifier). Omitted: the model `herd guard setup` put in the per-user cache is
     * used when there is one; `false` turns the classifier off.
     */
    promptGuard: z.union([PromptGuardConfigSchema, z.literal(false)]).optional(),
    /**
     * Llama Guard 4 (remote). Omitted: on by default wherever the resolved provider preset serves a Llama Guard
     * model (Together, OpenRouter, Meta's Llama API); `false` turns the classifier off.
     */
    llamaGuard: z.union([LlamaGuardConfigSchema, z.literal(false)]).optional(),
  })
  .strict();

/** The contents of `herd.config.json`. */
export const HerdConfigSchema = z
  .object({
    /** JSON Schema reference for editors; ignored. */
    $schema: z.string().optional(),
    /** Default provider id for every role that names none. */
    provider: z.string().min(1).optional(),
    /** Provider overrides and additional providers, keyed by id. */
    providers: z.record(z.string().min(1), ProviderOverrideSchema).optional(),
    /** The model roles. */
    roles: z
      .object({
        /** Llama 4 Scout: reads the repository and plans. */
        planner: ModelRoleConfigSchema.optional(),
        /** Llama 4 Maverick: carries out the plan with tools. */
        actor: ModelRoleConfigSchema.optional(),
        /** Prompt Guard 2 and Llama Guard 4. */
        guard: GuardRolesConfigSchema.optional(),
      })
      .strict()
      .optional(),
    /** Guard policy: a preset name or a policy object; validated by `@herd/guard`. */
    policy: z.unknown().optional(),
    /** Settings for `@herd/tools` (jail rules, command policy, sandbox); validated there. */
    tools: z.record(z.string(), z.unknown()).optional(),
    /** Settings for runs (limits, test command, prices); validated by `@herd/engine`. */
    run: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The contents of `herd.config.json`, as written. */
export type HerdConfigInput = z.input<typeof HerdConfigSchema>;
/** The contents of `herd.config.json`, parsed. */
export type HerdConfig = z.infer<typeof HerdConfigSchema>;
/** A model role as configured. */
export type ModelRoleConfig = z.infer<typeof ModelRoleConfigSchema>;
/** A fallback model as configured. */
export type FallbackConfig = z.infer<typeof FallbackConfigSchema>;
/** Prompt Guard 2 as configured. */
export type PromptGuardConfig = z.infer<typeof PromptGuardConfigSchema>;
/** Llama Guard 4 as configured. */
export type LlamaGuardConfig = z.infer<typeof LlamaGuardConfigSchema>;
