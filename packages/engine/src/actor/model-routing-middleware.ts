import {
  type HerdEventInput,
  invokeWithFallbacks,
  isFallbackWorthy,
  type ResolvedModelRole,
} from '@herd/core';
import { modelCallErrorText } from '@herd/core/models';
import { createMiddleware } from 'langchain';
import type { ChatModel } from '../planner/request-plan.js';

/** Options for {@link modelRoutingMiddleware}. */
export interface ModelRoutingMiddlewareOptions {
  /** The resolved role: its primary endpoint and fallbacks, in the order of `models`. */
  role: ResolvedModelRole;
  /** The role's model followed by its fallbacks, from `createChatModelChain({ role })`. */
  models: readonly ChatModel[];
  /** Receives a `model-call` event for every call, fallback and failure. */
  emit: (event: HerdEventInput) => void;
}

/**
 * Routes every model call of an agent to its role's model and walks the role's fallback chain on rate limits,
 * server errors and timeouts; reports each call with its latency and token usage.
 */
export function modelRoutingMiddleware(options: ModelRoutingMiddlewareOptions) {
  const { models, emit } = options;
  const role = options.role.role;
  const endpoints = [options.role, ...options.role.fallbacks];
  const providerOf = (index: number) => endpoints[index]?.provider ?? 'unknown';
  const report = (input: {
    index: number;
    outcome: 'ok' | 'error' | 'fallback';
    started?: number;
    error?: unknown;
    usage?: { input_tokens: number; output_tokens: number; total_tokens: number } | undefined;
  }) =>
    emit({
      type: 'model-call',
      role,
      provider: providerOf(input.index),
      model: models[input.index]?.model ?? 'unknown',
      latencyMs: input.started === undefined ? 0 : performance.now() - input.started,
      outcome: input.outcome,
      ...(input.error !== undefined ? { error: modelCallErrorText(input.error) } : {}),
      ...(input.usage
        ? {
            usage: {
              inputTokens: input.usage.input_tokens,
              outputTokens: input.usage.output_tokens,
              totalTokens: input.usage.total_tokens,
            },
          }
        : {}),
    });

  return createMiddleware({
    name: 'HerdModelRouting',
    wrapModelCall: async (request, handler) =>
      invokeWithFallbacks({
        models,
        onFallback: ({ from, error }) => report({ index: from, outcome: 'fallback', error }),
        call: async (model, index) => {
          const started = performance.now();
          try {
            const response = await handler({ ...request, model });
            report({
              index,
              outcome: 'ok',
              started,
              usage: 'usage_metadata' in response ? response.usage_metadata : undefined,
            });
            return response;
          } catch (caught) {
            const error = unwrapMiddlewareError(caught);
            // A failure that moves on to a fallback is reported by onFallback instead.
            if (index === models.length - 1 || !isFallbackWorthy(error))
              report({ index, outcome: 'error', started, error });
            throw error;
          }
        },
      }),
  });
}

/**
 * LangChain wraps what a middleware's wrapModelCall throws in a MiddlewareError (message and name kept, the rest
 * only as `cause`), so a provider's 429 passed on by an inner middleware would lose the status that decides a
 * fallback. The provider's own error is what this middleware judges and passes on.
 */
function unwrapMiddlewareError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10 && isMiddlewareError(current); depth++) current = current.cause;
  return current;
}

function isMiddlewareError(error: unknown): error is Error & { cause: unknown } {
  return (
    error instanceof Error &&
    (error as { '~brand'?: unknown })['~brand'] === 'MiddlewareError' &&
    error.cause !== undefined
  );
}
