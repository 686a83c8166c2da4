import { randomUUID } from 'node:crypto';
import { type AgentGuard, agentGuardMiddleware } from '@herd/guard';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { Command } from '@langchain/langgraph';
import { type AgentMiddleware, createMiddleware, MiddlewareError, type WrapModelCallHook } from 'langchain';
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

/** LangChain's name for the agent's model node, the target of a `goto` back to the model. */
const modelNode = 'model_request';

/**
 * What happens around each model call of the actor besides routing it: the run limits are checked, the guard
 * judges what the model is about to see and then its reply before any tool call runs, and the plan contract's
 * follow-up of the reply ends the step or asks the model again.
 *
 * In LangChain each `beforeModel` or `afterModel` hook is a graph node of its own, and LangGraph's work per node
 * (channel writes, routing, config merging, a run tree per runnable) was most of Herd's cost per step. So the turn
 * does all of it inside one `wrapModelCall`, outside the routing middleware (a stop is not a failed model call), in
 * the order the hooks ran: limits, the guard on the input, the model, the guard on the reply, the follow-up. What
 * the guard replaces is written to the state in the same step as the reply (a `Command`); a judgement that ends the
 * run ends it without a model call or with the guard's reply, which has no tool calls; an empty reply goes back to
 * the model once (`goto`), without the limits or the guard on the input again, as a jump to the model skipped them.
 *
 * Except when the guard asks a person (`guard.asks`): an approval is a LangGraph interrupt, and a resumed agent runs
 * the interrupted node again from its start, so judging a reply inside the model node would call the model again on
 * resume and apply the answer to another reply. Then the limits, the guard and the follow-up stay the hooks they
 * were: `beforeModel` and `afterModel` nodes, in the same order.
 */
export function actorTurnMiddleware(options: ActorTurnMiddlewareOptions): ActorTurn {
  return options.guard?.asks ? turnInNodes({ ...options, guard: options.guard }) : turnInModelCall(options);
}

function turnInModelCall(options: ActorTurnMiddlewareOptions): ActorTurn {
  const { meter, guard, takeFollowUp } = options;
  // Set by a follow-up that asks again: the next model call is the one a jump to the model made before.
  let askingAgain = false;
  let thrown: unknown;

  const turn: WrapModelCallHook = async (request, handler) => {
    const again = askingAgain;
    askingAgain = false;
    let messages = request.messages;
    const updates: BaseMessage[] = [];
    if (!again) {
      meter?.check();
      const input = await guard?.judgeInput(messages);
      if (input?.end) return new Command({ update: { messages: input.messages } });
      if (input) {
        updates.push(...input.messages);
        messages = withReplacements(messages, input.messages);
      }
    }
    const reply = await handler(messages === request.messages ? request : { ...request, messages });
    if (!AIMessage.isInstance(reply)) return reply;
    const judged = guard ? await guard.judgeReply([...messages, identified(reply)]) : undefined;
    if (judged) {
      updates.push(...judged.messages);
      if (judged.end) return new Command({ update: { messages: updates } });
    }
    const followUp = takeFollowUp();
    if (followUp && 'stop' in followUp) throw followUp.stop;
    if (followUp) {
      askingAgain = true;
      return new Command({ update: { messages: [...updates, followUp.askAgain] }, goto: modelNode });
    }
    // The model node writes the reply first and then this update: a replaced reply keeps its place (same id).
    return updates.length > 0 ? new Command({ update: { messages: updates } }) : reply;
  };

  return {
    middleware: [
      createMiddleware({
        name: 'HerdActorTurn',
        wrapModelCall: async (request, handler) => {
          try {
            return await turn(request, handler);
          } catch (error) {
            thrown = error;
            throw error;
          }
        },
        ...(guard ? { wrapToolCall: guard.wrapToolCall } : {}),
      }),
    ],
    unwrapError: (error) =>
      MiddlewareError.isInstance(error) && thrown !== undefined && error.cause === thrown ? thrown : error,
  };
}

function turnInNodes(options: ActorTurnMiddlewareOptions & { guard: AgentGuard }): ActorTurn {
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
    middleware: [limits, followUp, agentGuardMiddleware(options.guard)],
    unwrapError: (error) => error,
  };
}

/** The messages with those the guard replaced (same ids) in their places, as the state's reducer puts them. */
function withReplacements(messages: BaseMessage[], replacements: readonly BaseMessage[]): BaseMessage[] {
  const byId = new Map(replacements.map((message) => [message.id, message]));
  return messages.map((message) => (message.id !== undefined && byId.get(message.id)) || message);
}

/**
 * The reply with an id, given here as the state's reducer would give it on writing: a replacement of the reply
 * carries the reply's id, so it must have one before it is judged.
 */
function identified(reply: AIMessage): AIMessage {
  if (reply.id === undefined) {
    reply.id = randomUUID();
    reply.lc_kwargs.id = reply.id;
  }
  return reply;
}
