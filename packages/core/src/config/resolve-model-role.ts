import { ConfigError } from '../errors/config-error.js';
import type { ServedWindowSource, StructuredOutput, ToolCalling } from '../providers/provider-preset.js';
import { detectProvider, noProviderMessage, resolveProvider } from '../providers/resolve-provider.js';
import type { FallbackConfig, HerdConfig, ModelRoleConfig } from './herd-config.js';

/** A model role Herd calls over the OpenAI-compatible API. */
export type ModelRoleName = 'planner' | 'actor' | 'llamaGuard';

/** One concrete model on one provider, with everything needed to call it. Holds no secret. */
export interface ResolvedModelEndpoint {
  /** Provider id. */
  provider: string;
  /** Base URL of the OpenAI-compatible API. */
  baseUrl: string;
  /** Environment variable the API key is read from at call time. */
  apiKeyEnv: string;
  /** Whether the host refuses requests without a key. */
  requiresApiKey: boolean;
  /** Model id. */
  model: string;
  /** Context window the provider serves for this model, in tokens. */
  contextWindow: number;
  /**
   * Who set `contextWindow`: the configuration (`roles.*` or `providers.*.limits`), `HERD_CONTEXT_WINDOW`, or the
   * preset. Only a preset's figure gives way to what the host reports; a configured one is checked against it.
   */
  contextWindowSource: 'config' | 'environment' | 'preset';
  /** Where to ask the host for the window it serves (`none` for hosts that do not report it). */
  servedWindowFrom: ServedWindowSource;
  /** Largest completion to ask for, in tokens. */
  maxOutputTokens: number;
  /** How the host returns Llama 4 tool calls. */
  toolCalling: ToolCalling;
  /** How to obtain JSON of a given shape from the host. */
  structuredOutput: StructuredOutput;
  /** Whether the host accepts image parts. */
  images: boolean;
  /** Meta-style moderations URL, where the host has one. */
  moderationsUrl: string | undefined;
}

/** A role resolved from presets, configuration and environment: the model, how to call it, and its fallbacks. */
export interface ResolvedModelRole extends ResolvedModelEndpoint {
  /** Which role. */
  role: ModelRoleName;
  /** Sampling temperature. */
  temperature: number;
  /** Time allowed for one call, in milliseconds. */
  timeoutMs: number;
  /** Retries on 429, 5xx and dropped connections. */
  retries: number;
  /** Models tried in order when this one keeps failing. */
  fallbacks: ResolvedModelEndpoint[];
}

/**
 * The largest completion a Llama Guard check asks for unless `maxOutputTokens` is configured: its answer is `safe` or
 * `unsafe` plus a few category codes, and a provider's generic output limit (often 8,192) would make a server with
 * a small window refuse every check.
 */
export const llamaGuardMaxOutputTokens = 32;

const roleDefaults: Record<ModelRoleName, { temperature: number; timeoutMs: number; retries: number }> = {
  planner: { temperature: 0.2, timeoutMs: 300_000, retries: 2 },
  actor: { temperature: 0, timeoutMs: 180_000, retries: 2 },
  llamaGuard: { temperature: 0, timeoutMs: 30_000, retries: 1 },
};

/** Options for {@link resolveModelRole}. */
export interface ResolveModelRoleOptions {
  /** The parsed configuration. */
  config: HerdConfig;
  /** Which role to resolve. */
  role: ModelRoleName;
  /** Environment used to detect a provider from API keys; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves a model role: the provider (configured, or detected from the API keys in the environment), the
 * model id (configured, or the provider's default for the role), the served limits, and the fallback chain.
 *
 * @throws {ConfigError} when no provider is configured or detectable, the provider is unknown, or the provider
 * has no default model for the role.
 */
export function resolveModelRole(options: ResolveModelRoleOptions): ResolvedModelRole {
  const { config, role } = options;
  const env = options.env ?? process.env;
  const at = role === 'llamaGuard' ? 'roles.guard.llamaGuard' : `roles.${role}`;
  // `llamaGuard: false` turns the classifier off; resolving the role anyway (a library caller may) uses the defaults.
  const roleConfig: ModelRoleConfig =
    (role === 'llamaGuard' ? config.roles?.guard?.llamaGuard || undefined : config.roles?.[role]) ?? {};
  const providerId = roleConfig.provider ?? config.provider ?? detectProvider(env);
  if (!providerId) {
    throw new ConfigError({
      source: 'configuration',
      code: 'no_provider',
      message: noProviderMessage,
      issues: [{ path: `${at}.provider`, message: 'no provider configured' }],
    });
  }
  // A provider named only at the top level is reported there, where the person wrote it.
  const providerAt = roleConfig.provider
    ? `${at}.provider`
    : !config.provider
      ? `${at}.provider`
      : env.HERD_PROVIDER === config.provider
        ? 'HERD_PROVIDER'
        : 'provider';
  const envWindow = environmentWindow(env);
  const endpoint = resolveEndpoint({
    config,
    role,
    providerId,
    providerAt,
    at,
    wanted: roleConfig,
    envWindow,
  });
  const defaults = roleDefaults[role];
  return {
    role,
    ...endpoint,
    temperature: roleConfig.temperature ?? defaults.temperature,
    timeoutMs: roleConfig.timeoutMs ?? defaults.timeoutMs,
    retries: roleConfig.retries ?? defaults.retries,
    fallbacks: (roleConfig.fallbacks ?? []).map((fallback: FallbackConfig, index) =>
      resolveEndpoint({
        config,
        role,
        providerId: fallback.provider ?? providerId,
        providerAt: fallback.provider ? `${at}.fallbacks.${index}.provider` : providerAt,
        at: `${at}.fallbacks.${index}`,
        wanted: fallback,
        envWindow,
      }),
    ),
  };
}

function resolveEndpoint(options: {
  config: HerdConfig;
  role: ModelRoleName;
  providerId: string;
  /** Where the provider id was written, for messages. */
  providerAt: string;
  at: string;
  wanted: { model?: string; contextWindow?: number; maxOutputTokens?: number };
  /** `HERD_CONTEXT_WINDOW`, when set. */
  envWindow: number | undefined;
}): ResolvedModelEndpoint {
  const { config, role, providerId, providerAt, at, wanted, envWindow } = options;
  const provider = resolveProvider({ config, id: providerId, at: providerAt });
  const model = wanted.model ?? provider.models[role];
  if (!model) {
    throw new ConfigError({
      source: 'configuration',
      code: 'model_missing',
      issues: [
        { path: `${at}.model`, message: `provider '${provider.id}' has no default model for this role` },
      ],
      message: `Provider '${provider.id}' has no default ${role} model; set ${at}.model to the model id your server serves.`,
    });
  }
  const limits = provider.limits[model] ??
    provider.limits.default ?? { contextWindow: 8_192, maxOutputTokens: 2_048 };
  const configuredLimits = config.providers?.[provider.id]?.limits;
  const configuredLimit = configuredLimits?.[model] ?? configuredLimits?.default;
  const configured = wanted.contextWindow ?? configuredLimit?.contextWindow;
  const contextWindow = configured ?? envWindow ?? limits.contextWindow;
  // Llama Guard answers in a few tokens; other roles take the preset's output figure, shrunk with a small window so
  // an 8K local window still leaves room for input.
  const maxOutputTokens =
    wanted.maxOutputTokens ??
    configuredLimit?.maxOutputTokens ??
    (role === 'llamaGuard'
      ? Math.min(llamaGuardMaxOutputTokens, limits.maxOutputTokens)
      : Math.min(limits.maxOutputTokens, Math.max(256, Math.floor(contextWindow / 4))));
  if (maxOutputTokens >= contextWindow) {
    throw new ConfigError({
      source: 'configuration',
      issues: [
        { path: `${at}.maxOutputTokens`, message: `is not below the context window (${contextWindow})` },
      ],
      message: `${at}.maxOutputTokens (${maxOutputTokens}) leaves no room for input in a ${contextWindow}-token context window; lower ${at}.maxOutputTokens or set ${at}.contextWindow to the window ${provider.id} serves.`,
    });
  }
  return {
    provider: provider.id,
    baseUrl: provider.baseUrl,
    apiKeyEnv: provider.apiKeyEnv,
    requiresApiKey: provider.requiresApiKey,
    model,
    contextWindow,
    contextWindowSource:
      configured !== undefined ? 'config' : envWindow !== undefined ? 'environment' : 'preset',
    servedWindowFrom: provider.servedWindowFrom ?? 'none',
    maxOutputTokens,
    toolCalling: provider.toolCalling,
    structuredOutput: provider.structuredOutput,
    images: provider.images,
    moderationsUrl: provider.moderationsUrl,
  };
}

/**
 * `HERD_CONTEXT_WINDOW`: the window a local server was started with (`OLLAMA_CONTEXT_LENGTH`, llama.cpp `-c`), for
 * every model whose window the configuration does not set.
 *
 * @throws {ConfigError} when it is not a positive whole number.
 */
function environmentWindow(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.HERD_CONTEXT_WINDOW?.trim();
  if (!raw) return undefined;
  const value = Number(raw.replaceAll('_', ''));
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigError({
    source: 'environment',
    issues: [{ path: 'HERD_CONTEXT_WINDOW', message: `'${raw}' is not a positive whole number` }],
    message: `HERD_CONTEXT_WINDOW is '${raw}', not a number of tokens; set it to the window your server serves, e.g. HERD_CONTEXT_WINDOW=32768.`,
  });
}
