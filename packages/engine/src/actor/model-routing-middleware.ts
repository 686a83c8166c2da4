import {
  type HerdEventInput,
  invokeWithFallbacks,
  isFallbackWorthy,
  type ResolvedModelRole,
} from '@herd/core';
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
  return createMiddleware({
    name: 'HerdModelRouting',
    wrapModelCall: async (request, handler) =>
      invokeWithFallbacks({
        models,
        onFallback: ({ from, error }) =>
          emit({
            type: 'model-call',
            role,
            provider: providerOf(from),
            model: models[from]?.model ?? 'unknown',
            latencyMs: 0,
            outcome: 'fallback',
            error: error instanceof Error ? error.message : String(error),
          }),
        call: async (model, index) => {
          const started = performance.now();
          try {
            const response = await handler({ ...request, model });
            const usage = 'usage_metadata' in response ? response.usage_metadata : undefined;
            emit({
              type: 'model-call',
              role,
              provider: providerOf(index),
              model: model.model,
              latencyMs: performance.now() - started,
              outcome: 'ok',
              ...(usage
                ? {
                    usage: {
                      inputTokens: usage.input_tokens,
                      outputTokens: usage.output_tokens,
                      totalTokens: usage.total_tokens,
                    },
                  }
                : {}),
            });
            return response;
          } catch (error) {
            if (index === models.length - 1 || !isFallbackWorthy(error)) {
              emit({
                type: 'model-call',
                role,
                provider: providerOf(index),
                model: model.model,
                latencyMs: performance.now() - started,
                outcome: 'error',
                error: error instanceof Error ? error.message : String(error),
              });
            }
            throw error;
          }
        },
      }),
  });
}
