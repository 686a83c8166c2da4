import type { HerdEvent, TokenUsage } from '@herd/core';
import { LimitExceededError } from '../errors/limit-exceeded-error.js';
import type { RunSettings } from '../settings/run-settings.js';

type Role = 'planner' | 'actor' | 'llamaGuard';

/**
 * Counts model calls, tokens and cost of a run from its events, and stops the run at a limit. Llama Guard checks are
 * model calls like the planner's and the actor's (`model-call` events with role `llamaGuard`, priced as
 * `run.prices.llamaGuard`).
 */
export interface UsageMeter {
  /** Feed every event of the run. */
  observe(event: HerdEvent): void;
  /** Throws when a limit has been reached. */
  check(): void;
  /** Usage by role so far. */
  usage(): Partial<Record<Role, TokenUsage>>;
  /** Model calls so far. */
  modelCalls(): number;
  /** Spending so far in US dollars, from the configured prices. */
  costUsd(): number;
}

/** Creates the usage meter of a run. */
export function createUsageMeter(options: { settings: RunSettings; startedAt?: number }): UsageMeter {
  const { limits, prices } = options.settings;
  const startedAt = options.startedAt ?? Date.now();
  const byRole: Partial<Record<Role, TokenUsage>> = {};
  let calls = 0;
  let cost = 0;
  let stepCount = 0;
  const meter: UsageMeter = {
    observe(event) {
      if (event.type === 'step-start') stepCount++;
      if (event.type !== 'model-call' || event.outcome === 'fallback') return;
      calls++;
      if (!event.usage) return;
      const current = byRole[event.role] ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      byRole[event.role] = {
        inputTokens: current.inputTokens + event.usage.inputTokens,
        outputTokens: current.outputTokens + event.usage.outputTokens,
        totalTokens: current.totalTokens + event.usage.totalTokens,
      };
      const price = prices[event.role];
      if (price) {
        cost +=
          (event.usage.inputTokens * price.inputPerMillion +
            event.usage.outputTokens * price.outputPerMillion) /
          1e6;
      }
    },
    check() {
      if (calls >= limits.modelCalls)
        throw new LimitExceededError({ limit: 'modelCalls', value: calls, maximum: limits.modelCalls });
      if (stepCount > limits.steps)
        throw new LimitExceededError({ limit: 'steps', value: stepCount, maximum: limits.steps });
      const elapsed = Date.now() - startedAt;
      if (elapsed > limits.wallTimeMs)
        throw new LimitExceededError({ limit: 'wallTimeMs', value: elapsed, maximum: limits.wallTimeMs });
      for (const [role, maximum] of Object.entries(limits.tokens) as Array<[Role, number]>) {
        const used = byRole[role]?.totalTokens ?? 0;
        if (used >= maximum) throw new LimitExceededError({ limit: `tokens.${role}`, value: used, maximum });
      }
      if (limits.costUsd !== undefined && cost >= limits.costUsd) {
        throw new LimitExceededError({
          limit: 'costUsd',
          value: Number(cost.toFixed(4)),
          maximum: limits.costUsd,
        });
      }
    },
    usage: () => ({ ...byRole }),
    modelCalls: () => calls,
    costUsd: () => cost,
  };
  return meter;
}
