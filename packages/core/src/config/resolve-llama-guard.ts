import { ConfigError } from '../errors/config-error.js';
import { detectProvider, resolveProvider } from '../providers/resolve-provider.js';
import type { HerdConfig } from './herd-config.js';
import { type ResolvedModelRole, resolveModelRole } from './resolve-model-role.js';

/**
 * Where the Llama Guard setting came from: written in `roles.guard.llamaGuard` (`configured`), taken from the
 * provider preset because it serves a Llama Guard model (`provider`), turned off with `false` (`off`), or not
 * available because the provider serves none (`unavailable`).
 */
export type LlamaGuardOrigin = 'configured' | 'provider' | 'off' | 'unavailable';

/** Whether Llama Guard 4 checks run, through which endpoint, and why. */
export interface LlamaGuardResolution {
  /** The role when the classifier is on; `undefined` when it is off or unavailable. */
  role: ResolvedModelRole | undefined;
  /** `chat` sends the conversation to `/chat/completions`; `moderations` uses Meta's `POST /v1/moderations`. */
  api: 'chat' | 'moderations';
  /** Where the setting came from. */
  origin: LlamaGuardOrigin;
  /** One sentence for a person: what was chosen and why, or what to set to turn it on. */
  reason: string;
}

/** Hosts whose presets serve Llama Guard 4, for messages that say how to turn it on. */
const servingHosts =
  'Together (TOGETHER_API_KEY), OpenRouter (OPENROUTER_API_KEY) or Meta’s Llama API (LLAMA_API_KEY)';

/**
 * Decides whether Llama Guard 4 checks run. `roles.guard.llamaGuard` wins when written (`false` turns the
 * classifier off); otherwise it is on by default wherever the provider preset the role resolves to names a Llama
 * Guard model (Meta's Llama API through its moderations endpoint, Together and OpenRouter over chat completions,
 * or any provider whose `models.llamaGuard` the configuration sets). A provider with a moderations URL is called
 * through it unless `api` says otherwise.
 *
 * @throws {ConfigError} only for a Llama Guard role that is written but cannot be resolved (unknown provider,
 *   missing model id); a provider that serves no Llama Guard model is `unavailable`, not an error.
 */
export function resolveLlamaGuard(options: {
  config: HerdConfig;
  env?: NodeJS.ProcessEnv;
}): LlamaGuardResolution {
  const { config } = options;
  const env = options.env ?? process.env;
  const written = config.roles?.guard?.llamaGuard;
  if (written === false) {
    return {
      role: undefined,
      api: 'chat',
      origin: 'off',
      reason: 'turned off by "llamaGuard": false in roles.guard',
    };
  }
  if (written) {
    const role = resolveModelRole({ config, role: 'llamaGuard', env });
    const api = written.api ?? (role.moderationsUrl ? 'moderations' : 'chat');
    return {
      role,
      api,
      origin: 'configured',
      reason: `configured in roles.guard.llamaGuard: ${describe(role, api)}`,
    };
  }
  const providerId = config.provider ?? detectProvider(env);
  if (!providerId) {
    return {
      role: undefined,
      api: 'chat',
      origin: 'unavailable',
      reason: `no provider is configured; set an API key of a host that serves Llama Guard 4: ${servingHosts}`,
    };
  }
  let served: string | undefined;
  try {
    served = resolveProvider({ config, id: providerId, at: 'provider' }).models.llamaGuard;
  } catch (error) {
    // An unknown provider is the planner's and actor's error to report; Llama Guard is simply not available.
    if (!(error instanceof ConfigError)) throw error;
  }
  if (!served) {
    return {
      role: undefined,
      api: 'chat',
      origin: 'unavailable',
      reason: `provider '${providerId}' serves no Llama Guard 4 model; set roles.guard.llamaGuard (e.g. {"provider": "openrouter"}) with a key for ${servingHosts}, or name the model your server serves in providers.${providerId}.models.llamaGuard`,
    };
  }
  const role = resolveModelRole({ config, role: 'llamaGuard', env });
  const api = role.moderationsUrl ? 'moderations' : 'chat';
  return {
    role,
    api,
    origin: 'provider',
    reason: `on by default: provider '${role.provider}' serves ${describe(role, api)}; "llamaGuard": false in roles.guard turns it off`,
  };
}

function describe(role: ResolvedModelRole, api: 'chat' | 'moderations'): string {
  return api === 'moderations'
    ? `${role.model} through its moderations API (${role.moderationsUrl ?? `${role.baseUrl}/moderations`})`
    : `${role.model} at ${role.baseUrl}`;
}
