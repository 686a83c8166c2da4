import { ProviderError } from '../errors/provider-error.js';
import type { ConnectionFailure } from './describe-connection-failure.js';
import type { ModelEndpointDescription } from './model-endpoint-of.js';

/** One model of a fallback chain that could not be reached. */
export interface UnreachableModel {
  /** Where the model sends its calls. */
  endpoint: ModelEndpointDescription;
  /** Why the call failed. */
  failure: ConnectionFailure;
}

/** Options for {@link providerConnectionError}. */
export interface ProviderConnectionErrorOptions {
  /** Every model that could not be reached, in the order tried; the last one's error ends the call. */
  models: readonly UnreachableModel[];
  /** The last model's error. */
  cause: unknown;
}

/**
 * The {@link ProviderError} for a model call that never got an answer: `provider_unreachable` when a connection
 * failed (refused, host not found, reset), `provider_timeout` when every model only timed out. The message names
 * each provider, its URL and the cause, and says what to set. The error's `provider` and `model` are the last
 * model tried.
 */
export function providerConnectionError(options: ProviderConnectionErrorOptions): ProviderError {
  const models = distinct(options.models);
  const last = models.at(-1);
  if (!last) throw new TypeError('providerConnectionError needs at least one model.');
  const { role } = last.endpoint;
  const onlyTimeouts = models.every((entry) => entry.failure.kind === 'timeout');
  const timeoutFix = `raise roles.${role === 'llamaGuard' ? 'guard.llamaGuard' : role}.timeoutMs`;
  const common = { provider: last.endpoint.provider, model: last.endpoint.model, cause: options.cause };
  if (models.length === 1 && onlyTimeouts) {
    return new ProviderError({
      ...common,
      code: 'provider_timeout',
      message: `${last.endpoint.provider} at ${last.endpoint.baseUrl} did not answer the ${role} call to ${last.endpoint.model} within ${last.endpoint.timeoutMs} ms; check that the server is up and not overloaded, or ${timeoutFix}.`,
    });
  }
  const described = models.map(
    ({ endpoint, failure }) =>
      `${endpoint.provider} at ${endpoint.baseUrl} (${reasonOf({ endpoint, failure })})`,
  );
  const settings = [...new Set(models.map(({ endpoint }) => `providers.${endpoint.provider}.baseUrl`))];
  const withTimeout = models.some((entry) => entry.failure.kind === 'timeout') ? `, or ${timeoutFix}` : '';
  const message =
    models.length === 1
      ? `Cannot reach ${described[0]}; ${fixOf({ model: last, setting: `HERD_BASE_URL / ${settings[0]}` })}.`
      : `Cannot reach any ${role} model: ${described.join(', ')}; start the servers or correct ${settings.join(' / ')}${withTimeout}.`;
  return new ProviderError({
    ...common,
    code: onlyTimeouts ? 'provider_timeout' : 'provider_unreachable',
    message,
  });
}

function reasonOf(model: UnreachableModel): string {
  const { endpoint, failure } = model;
  if (failure.kind === 'timeout') return `no answer within ${endpoint.timeoutMs} ms`;
  if (failure.kind === 'blocked_port')
    return `Node's fetch refuses port ${portOf(endpoint.baseUrl)} as unsafe`;
  return failure.reason;
}

function portOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).port || 'this';
  } catch {
    return 'this';
  }
}

function fixOf(input: { model: UnreachableModel; setting: string }): string {
  const { model, setting } = input;
  const code = model.failure.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `check the host name and the network, or set ${setting}`;
  if (code.includes('CERT')) return `give the server a trusted certificate, or set ${setting}`;
  if (model.failure.kind === 'blocked_port') return `serve it on another port and set ${setting}`;
  return `start the server or set ${setting}`;
}

/** The same endpoint failing the same way twice (two models on one server) is named once. */
function distinct(models: readonly UnreachableModel[]): UnreachableModel[] {
  const seen = new Set<string>();
  return models.filter(({ endpoint, failure }) => {
    const key = `${endpoint.provider}\u0000${endpoint.baseUrl}\u0000${failure.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
