import type { ResolvedModelEndpoint, ResolvedModelRole } from '../config/resolve-model-role.js';
import { probeServedWindow } from './probe-served-window.js';

/** Options for {@link learnServedWindow}. */
export interface LearnServedWindowOptions {
  /** The resolved role; its primary endpoint and each fallback are asked. */
  role: ResolvedModelRole;
  /** Environment the API key is read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

/** A role with the windows its hosts serve, and what to warn about. */
export interface LearnedServedWindow {
  /** The role, with each endpoint's `contextWindow` (and, if need be, `maxOutputTokens`) as served. */
  role: ResolvedModelRole;
  /** One sentence per endpoint whose configured window is larger than the host serves. */
  warnings: string[];
}

/**
 * Asks each host of a role which window it serves (see `probeServedWindow`; once per process) and uses the answer:
 * a preset's figure is replaced by it, and a configured window larger than the host serves is lowered to it with a
 * warning (a request sized for the larger window would be refused). A configured window the host can serve stays.
 */
export async function learnServedWindow(options: LearnServedWindowOptions): Promise<LearnedServedWindow> {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const at = options.role.role === 'llamaGuard' ? 'roles.guard.llamaGuard' : `roles.${options.role.role}`;
  const learn = async <TEndpoint extends ResolvedModelEndpoint>(endpoint: TEndpoint): Promise<TEndpoint> => {
    const served = await probeServedWindow({
      source: endpoint.servedWindowFrom,
      baseUrl: endpoint.baseUrl,
      model: endpoint.model,
      apiKey: env[endpoint.apiKeyEnv],
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    if (served === undefined || served === endpoint.contextWindow) return endpoint;
    if (endpoint.contextWindowSource !== 'preset') {
      if (served > endpoint.contextWindow) return endpoint;
      const setting =
        endpoint.contextWindowSource === 'environment' ? 'HERD_CONTEXT_WINDOW' : `${at}.contextWindow`;
      warnings.push(
        `${setting} says ${endpoint.contextWindow} tokens, but ${endpoint.provider} at ${endpoint.baseUrl} serves ${endpoint.model} with ${served}; Herd uses ${served}. Lower ${setting}, or restart the server with a larger window.`,
      );
    }
    return {
      ...endpoint,
      contextWindow: served,
      maxOutputTokens: Math.min(endpoint.maxOutputTokens, Math.max(256, Math.floor(served / 4))),
    };
  };
  const primary = await learn(options.role);
  const fallbacks = await Promise.all(options.role.fallbacks.map(learn));
  return { role: { ...primary, fallbacks }, warnings };
}
