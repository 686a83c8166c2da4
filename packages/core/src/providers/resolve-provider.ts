import { formatConfigIssues } from '../config/format-config-issues.js';
import type { HerdConfig } from '../config/herd-config.js';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { type ProviderPreset, ProviderPresetSchema } from './provider-preset.js';
import { providerPresetNames, providerPresets } from './provider-presets.js';

/** A provider after presets and overrides are merged. */
export interface ResolvedProvider extends ProviderPreset {
  /** Provider id as used in the configuration. */
  id: string;
}

/**
 * Merges a provider's preset with the configuration's overrides for it, field by field.
 *
 * @throws {ConfigError} when the id is neither a preset nor declared under `providers`, or the merged provider
 * is invalid (e.g. a bad base URL).
 */
export function resolveProvider(options: { config: HerdConfig; id: string; at: string }): ResolvedProvider {
  const { config, id, at } = options;
  const override = config.providers?.[id];
  const presetName =
    override?.extends ?? (id in providerPresets ? id : override ? 'openai-compatible' : undefined);
  if (!presetName) {
    throw new ConfigError({
      source: 'configuration',
      code: 'provider_unknown',
      issues: [{ path: at, message: `unknown provider '${id}'` }],
      message: `Unknown provider '${id}' at ${at}; use one of ${providerPresetNames.join(', ')}, or declare it under "providers" with a "baseUrl".`,
    });
  }
  const preset = (providerPresets as Record<string, ProviderPreset>)[presetName];
  if (!preset) {
    throw new ConfigError({
      source: 'configuration',
      code: 'provider_unknown',
      issues: [{ path: `providers.${id}.extends`, message: `unknown preset '${presetName}'` }],
      message: `Provider '${id}' extends unknown preset '${presetName}'; use one of ${providerPresetNames.join(', ')}.`,
    });
  }
  const { extends: _extends, ...fields } = override ?? {};
  const merged = {
    ...preset,
    ...fields,
    models: { ...preset.models, ...fields.models },
    limits: { ...preset.limits, ...fields.limits },
  };
  const parsed = ProviderPresetSchema.safeParse(merged);
  if (!parsed.success) {
    const issues: ConfigIssue[] = formatConfigIssues({
      error: parsed.error,
      input: merged,
      prefix: `providers.${id}`,
    });
    throw new ConfigError({
      source: 'configuration',
      issues,
      message: `Provider '${id}' is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}.`,
    });
  }
  return { id, ...parsed.data };
}

/** Providers whose key variable, when set, makes Herd pick them without configuration, in this order. */
const detectable = ['llama-api', 'together', 'fireworks', 'openrouter'] as const;

/**
 * Picks a provider when the configuration names none: the first hosted provider whose API key is in the
 * environment, else `openai-compatible` when `HERD_BASE_URL` is set, else `undefined`.
 */
export function detectProvider(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of detectable) if (env[providerPresets[name].apiKeyEnv]) return name;
  return env.HERD_BASE_URL ? 'openai-compatible' : undefined;
}

/** The message shown when no model endpoint is configured at all. */
export const noProviderMessage = [
  'No model endpoint is configured.',
  'Set an API key for a hosted provider (LLAMA_API_KEY for the Meta Llama API, TOGETHER_API_KEY, FIREWORKS_API_KEY or OPENROUTER_API_KEY),',
  'or point Herd at a local server: HERD_PROVIDER=vllm (or ollama, llama-cpp) and, if it is not on its default port,',
  'HERD_BASE_URL=http://127.0.0.1:8000/v1; or write "provider" in herd.config.json.',
].join(' ');
