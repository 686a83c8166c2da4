import { type AgentGuard, agentGuardMiddleware } from '@herd/guard';
import { type AgentMiddleware, createMiddleware } from 'langchain';
import type { PlanContractFollowUp } from './plan-contract-middleware.js';

/** Options for {@link actorTurnMiddleware}. */
export interface ActorTurnMiddlewareOptions {
  /** The run's limits: throws when one has been reached. Checked before each model call of the actor. */
  meter?: { check(): void };
  /** The run's guard inside the agent; left out, nothing is scanned. */
  guard?: AgentGuard;
  /** The plan contract's follow-up of each reply (see `planContractMiddleware`). */
  takeFollowUp: () => PlanContractFollowUp | undefined;
}

/** The actor's turn: its middleware, and how to read what it threw. */
export interface ActorTurn {
  /** To be given to `createAgent` after the plan contract's `calls` and before the model-routing middleware. */
  middleware: AgentMiddleware[];
  /**
   * The error the turn itself threw, out of the `MiddlewareError` LangChain wraps around what a `wrapModelCall`
   * throws, so the agent rejects with the error a hook would have thrown; any other error as it is.
   */
  unwrapError(error: unknown): unknown;
}

/**
 * What happens around each model call of the actor besides routing it: the run limits are checked, the guard
 * judges what the model is about to see and then its reply before any tool call runs, and the plan contract's
 * follow-up of the reply ends the step or asks the model again. Here as `beforeModel` and `afterModel` hooks, in
 * this order: limits, the guard on the input, the model, the guard on the reply, the follow-up.
 */
export function actorTurnMiddleware(options: ActorTurnMiddlewareOptions): ActorTurn {
  return turnInNodes(options);
}

function turnInNodes(options: ActorTurnMiddlewareOptions): ActorTurn {
  const { meter, takeFollowUp } = options;
  // In the order LangChain runs them: beforeModel hooks first to last, afterModel hooks last to first.
  const limits = createMiddleware({
    name: 'HerdRunLimits',
    beforeModel: () => {
      meter?.check();
      return undefined;
    },
  });
  const followUp = createMiddleware({
    name: 'HerdPlanContractFollowUp',
    afterModel: {
      canJumpTo: ['model'],
      hook: () => {
        const next = takeFollowUp();
        if (!next) return undefined;
        if ('stop' in next) throw next.stop;
        return { jumpTo: 'model' as const, messages: [next.askAgain] };
      },
    },
  });
  return {
    middleware: [limits, followUp, ...(options.guard ? [agentGuardMiddleware(options.guard)] : [])],
    unwrapError: (error) => error,
  };
}
