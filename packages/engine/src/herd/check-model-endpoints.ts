import { connect } from 'node:net';
import { ProviderError, type ResolvedModelEndpoint, type ResolvedModelRole } from '@herd/core';

/** How long one connection attempt may take before the endpoint counts as unreachable. */
const connectTimeoutMs = 10_000;

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

/**
 * Checks, before a run packs the repository or loads a classifier, that each role it will call can be reached: a TCP
 * connection to the host and port of the role's base URL, or of one of its fallbacks (the chain would fall back to
 * it), is opened and closed again. Nothing is sent, so no key leaves the process and nothing is billed.
 *
 * @throws {ProviderError} `provider_unreachable` naming the role, the URL, why, and how to configure a model.
 */
export async function assertModelEndpointsReachable(options: {
  roles: readonly ResolvedModelRole[];
  signal?: AbortSignal;
}): Promise<void> {
  const seen = new Map<string, Promise<string | undefined>>();
  const problemOf = (endpoint: ResolvedModelEndpoint) => {
    const key = endpointAddress(endpoint.baseUrl);
    let problem = seen.get(key);
    if (!problem) {
      problem = connectionProblem(endpoint.baseUrl, options.signal);
      seen.set(key, problem);
    }
    return problem;
  };
  for (const role of options.roles) {
    const problem = await problemOf(role);
    if (problem === undefined) continue;
    let fallbackReached = false;
    for (const fallback of role.fallbacks) {
      if ((await problemOf(fallback)) === undefined) {
        fallbackReached = true;
        break;
      }
    }
    if (fallbackReached) continue;
    options.signal?.throwIfAborted();
    throw new ProviderError({
      code: 'provider_unreachable',
      provider: role.provider,
      model: role.model,
      message: `Cannot reach the ${role.role} model at ${role.baseUrl} (${role.provider}: ${problem})${role.fallbacks.length > 0 ? ', nor any of its fallbacks' : ''}; nothing was packed or sent.`,
      hint: `Start the server there, or configure a model that answers: export an API key (LLAMA_API_KEY, TOGETHER_API_KEY, FIREWORKS_API_KEY or OPENROUTER_API_KEY), or set HERD_PROVIDER=vllm (or ollama, llama-cpp) and HERD_BASE_URL to where it listens; \`herd config check\` shows what Herd resolved.`,
    });
  }
}

/** `host:port` of a base URL, with the scheme's default port. */
function endpointAddress(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** Why a TCP connection to the URL's host and port fails, or `undefined` when it opens. */
function connectionProblem(baseUrl: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  // A bracketed IPv6 literal is given to the socket without its brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: connectTimeoutMs });
    const finish = (problem: string | undefined) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(problem);
    };
    const onAbort = () => finish('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(undefined));
    socket.once('timeout', () => finish(`no connection within ${connectTimeoutMs / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(reasons[error.code ?? ''] ?? error.code ?? error.message),
    );
  });
}
