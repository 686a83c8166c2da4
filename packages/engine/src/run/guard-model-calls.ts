import { AsyncLocalStorage } from 'node:async_hooks';
import type { HerdEventInput } from '@herd/core';
import type { LlamaGuardCall } from '@herd/guard';

/**
 * Routes the Llama Guard provider calls of a guard shared by several runs to the run each was made for, as
 * `model-call` events with role `llamaGuard`: the run's usage meter counts them against `run.limits.modelCalls`,
 * the token limits and `costUsd` (priced as `run.prices.llamaGuard`), and the report shows them under
 * `usage.byRole.llamaGuard`.
 */
export interface GuardModelCalls {
  /** The guard's `onModelCall` (see `createGuardFromConfig`). */
  onModelCall(call: LlamaGuardCall): void;
  /** Runs a run's work so that every guard call made inside it becomes one of its events. */
  within<TResult>(emit: (event: HerdEventInput) => void, work: () => Promise<TResult>): Promise<TResult>;
}

/**
 * Creates the router. A check belongs to the run in whose asynchronous context it was made (Node's
 * AsyncLocalStorage follows it through LangGraph, the agent and the guard); calls made outside any run are not
 * reported, since there is no run to meter.
 */
export function createGuardModelCalls(): GuardModelCalls {
  const current = new AsyncLocalStorage<(event: HerdEventInput) => void>();
  return {
    onModelCall(call) {
      current.getStore()?.({
        type: 'model-call',
        role: 'llamaGuard',
        provider: call.provider,
        model: call.model,
        ...(call.usage ? { usage: call.usage } : {}),
        latencyMs: call.latencyMs,
        outcome: call.outcome,
        ...(call.error ? { error: call.error } : {}),
      });
    },
    within: (emit, work) => current.run(emit, work),
  };
}
