import type { AgentGuard } from '@herd/guard';
import { actorTurnMiddleware } from './actor-turn-middleware.js';
import { type ContextWindowMiddlewareOptions, contextWindowMiddleware } from './context-window-middleware.js';
import { type ModelRoutingMiddlewareOptions, modelRoutingMiddleware } from './model-routing-middleware.js';
import { type PlanContractMiddlewareOptions, planContractMiddleware } from './plan-contract-middleware.js';
import { textToolCallingMiddleware } from './text-tool-calling-middleware.js';

/** Options for {@link actorMiddleware}. */
export interface ActorMiddlewareOptions {
  /** Model routing and fallbacks: the actor role as configured, its models, where `model-call` events go. */
  routing: ModelRoutingMiddlewareOptions;
  /** The step's plan contract. */
  contract: PlanContractMiddlewareOptions;
  /** The run's guard inside the agent; left out, nothing is scanned. */
  guard?: AgentGuard;
  /** The run's limits, checked before each model call; left out, none. */
  meter?: { check(): void };
  /** Keeps the conversation inside the window the host serves; left out, requests go as they are. */
  contextWindow?: ContextWindowMiddlewareOptions;
  /** Reads tool calls from the reply's text (`toolCalling: "text"`). */
  textToolCalling?: boolean;
}

/**
 * The actor's middleware for `createAgent`, in the one order that keeps each part's promise:
 * - around each model call, outermost first: the turn (limits, the guard on the input and on the reply, the plan
 *   contract's follow-up; see `actorTurnMiddleware`), routing with fallbacks, the plan contract's reply judge (so
 *   the guard judges the calls it reads from text), the context window (inside the routing, which picks the model
 *   it sizes for, and inside the guard, which judges what is sent), text tool calling (innermost, so every other
 *   part sees ordinary tool calls whatever the host returns);
 * - around each tool call: the plan contract (its events carry what the guard let through), the guard, the context
 *   window (the guard judges the capped result the model gets).
 * `unwrapError` gives back the error the turn threw, as a hook would have thrown it.
 *
 * @example
 * const actor = actorMiddleware({ routing, contract, guard });
 * await createAgent({ model, tools, middleware: actor.middleware }).invoke(input).catch((error) => {
 *   throw actor.unwrapError(error);
 * });
 */
export function actorMiddleware(options: ActorMiddlewareOptions) {
  const contract = planContractMiddleware(options.contract);
  const turn = actorTurnMiddleware({
    ...(options.meter ? { meter: options.meter } : {}),
    ...(options.guard ? { guard: options.guard } : {}),
    takeFollowUp: contract.takeFollowUp,
  });
  return {
    middleware: [
      contract.calls,
      ...turn.middleware,
      modelRoutingMiddleware(options.routing),
      contract.replies,
      ...(options.contextWindow ? [contextWindowMiddleware(options.contextWindow)] : []),
      ...(options.textToolCalling ? [textToolCallingMiddleware()] : []),
    ] as const,
    unwrapError: turn.unwrapError,
  };
}
