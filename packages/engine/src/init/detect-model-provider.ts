import { detectProvider, providerPresets } from '@herd/core';

/** The model endpoint `herd init` found, and why it chose it. */
export interface DetectedProvider {
  /** Provider id (a preset name). */
  provider: string;
  /** For a person: which key is set, which server answered. */
  reason: string;
  /** Model ids to configure, when a local server serves none of the preset's defaults. */
  models?: { planner: string; actor: string };
}

/** Local servers tried, in this order, on their default ports. */
const localProviders = ['vllm', 'ollama', 'llama-cpp'] as const;

/**
 * Picks the model endpoint for a starter configuration: a hosted provider whose API key is in the environment
 * (as Herd itself would pick it), else a local server that answers `GET /models` on its default port with an
 * OpenAI-style model list. A local server that serves none of the preset's model ids gets the first one it lists.
 */
export async function detectModelProvider(options: {
  env: NodeJS.ProcessEnv;
  /** Base URLs to try per local provider; default each preset's. */
  localBaseUrls?: Partial<Record<(typeof localProviders)[number], string>>;
  timeoutMs?: number;
}): Promise<DetectedProvider | undefined> {
  const hosted = detectProvider(options.env);
  if (hosted && hosted !== 'openai-compatible') {
    const preset = providerPresets[hosted as keyof typeof providerPresets];
    return { provider: hosted, reason: `${preset.apiKeyEnv} is set` };
  }
  const answers = await Promise.all(
    localProviders.map(async (provider) => {
      const baseUrl = options.localBaseUrls?.[provider] ?? providerPresets[provider].baseUrl;
      return { provider, baseUrl, models: await servedModels(baseUrl, options.timeoutMs ?? 1_500) };
    }),
  );
  const found = answers.find((answer) => answer.models !== undefined);
  if (!found?.models) return undefined;
  const defaults = providerPresets[found.provider].models;
  const served = found.models;
  const first = served[0];
  const needsModels = first !== undefined && !served.includes(defaults.planner ?? '');
  return {
    provider: found.provider,
    reason: `${found.provider} answers at ${found.baseUrl}${served.length > 0 ? ` (serving ${served.slice(0, 3).join(', ')})` : ''}`,
    ...(needsModels
      ? {
          models: {
            planner: first,
            actor: served.includes(defaults.actor ?? '') ? (defaults.actor as string) : first,
          },
        }
      : {}),
  };
}

/** The model ids an OpenAI-compatible server lists, or `undefined` when nothing such answers in time. */
async function servedModels(baseUrl: string, timeoutMs: number): Promise<string[] | undefined> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/models`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: unknown };
    if (!Array.isArray(body.data)) return undefined;
    return body.data.flatMap((model: unknown) =>
      typeof (model as { id?: unknown })?.id === 'string' ? [(model as { id: string }).id] : [],
    );
  } catch {
    return undefined;
  }
}
