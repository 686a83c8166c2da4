import { describeConnectionFailure } from './describe-connection-failure.js';
import { isFallbackWorthy } from './is-fallback-worthy.js';
import { modelEndpointOf } from './model-endpoint-of.js';
import { providerConnectionError, type UnreachableModel } from './provider-connection-error.js';

/** Options for {@link invokeWithFallbacks}. */
export interface InvokeWithFallbacksOptions<TModel, TResult> {
  /** The primary model followed by its fallbacks, in order. */
  models: readonly TModel[];
  /** Calls one model. */
  call: (model: TModel, index: number) => Promise<TResult>;
  /** Told each time a model fails and the next one is tried. */
  onFallback?: (details: { from: number; to: number; error: unknown }) => void;
  /** Decides whether an error moves on to the next model; default {@link isFallbackWorthy}. */
  shouldFallback?: (error: unknown) => boolean;
}

/**
 * Calls the first model and, when it fails with a rate limit, server error, timeout or dropped connection
 * (after its own retries), the next one, and so on. Other errors, and the last model's error, are thrown.
 *
 * When the call ends because a model built by `createChatModel` could not be reached or did not answer in time,
 * the error thrown is a `ProviderError` (`provider_unreachable` or `provider_timeout`) naming every model of the
 * chain that failed that way, with its provider, URL and cause; HTTP errors are thrown as the provider sent them.
 */
export async function invokeWithFallbacks<TModel, TResult>(
  options: InvokeWithFallbacksOptions<TModel, TResult>,
): Promise<TResult> {
  const { models, call, onFallback, shouldFallback = isFallbackWorthy } = options;
  if (models.length === 0) throw new TypeError('invokeWithFallbacks needs at least one model.');
  const unreachable: UnreachableModel[] = [];
  for (let index = 0; ; index++) {
    const model = models[index] as TModel;
    try {
      return await call(model, index);
    } catch (error) {
      const endpoint = modelEndpointOf(model);
      const failure = describeConnectionFailure(error);
      if (endpoint && failure) unreachable.push({ endpoint, failure });
      if (index === models.length - 1 || !shouldFallback(error)) {
        throw endpoint && failure ? providerConnectionError({ models: unreachable, cause: error }) : error;
      }
      onFallback?.({ from: index, to: index + 1, error });
    }
  }
}
