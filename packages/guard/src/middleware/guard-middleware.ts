import { createMiddleware } from 'langchain';
import {
  type AgentGuard,
  type AgentGuardOptions,
  createAgentGuard,
  type GuardJudgement,
} from './agent-guard.js';

export type { GuardApprovalRequest } from './agent-guard.js';

/** Options for {@link guardMiddleware}. */
export type GuardMiddlewareOptions = AgentGuardOptions;

/**
 * LangChain middleware for any `createAgent`: scans new user messages before each model call (`user_input`), the
 * model's text (`model_output`) and every tool call's arguments (`tool_call`) after it, and each tool's output as
 * soon as the tool returns (`tool_output`). A block ends the run with a clear message (`end`), throws a
 * {@link GuardError} (`error`), or replaces the offending content (`replace`), as LangChain's moderation middleware
 * does. `redact` verdicts pass the redacted content on; `ask` verdicts go to `approve`.
 *
 * The scans before and after the model call are `beforeModel` and `afterModel` hooks, so an `ask` answered by a
 * LangGraph interrupt resumes without calling the model again, and a block that ends the run skips the other
 * middleware's hooks as a jump to the end does. The same work as functions is {@link createAgentGuard}.
 *
 * @example
 * const agent = createAgent({ model, tools, middleware: [guardMiddleware({ guard, approve: askInTerminal })] });
 */
export function guardMiddleware(options: GuardMiddlewareOptions) {
  return agentGuardMiddleware(createAgentGuard(options));
}

/**
 * {@link guardMiddleware} around an {@link AgentGuard} made beforehand, for a host that keeps the agent guard (the
 * tool outputs it judged, a block that ends the run) across agents or calls its functions elsewhere too.
 */
export function agentGuardMiddleware(agentGuard: AgentGuard) {
  return createMiddleware({
    name: 'HerdGuardMiddleware',
    beforeModel: {
      canJumpTo: ['end'],
      hook: async (state) => stateUpdate(await agentGuard.judgeInput(state.messages)),
    },
    afterModel: {
      canJumpTo: ['end'],
      hook: async (state) => stateUpdate(await agentGuard.judgeReply(state.messages)),
    },
    wrapToolCall: agentGuard.wrapToolCall,
  });
}

/** A judgement as a hook's state update: the messages, and a jump to the end when it ends the run. */
function stateUpdate(judgement: GuardJudgement | undefined) {
  if (!judgement) return undefined;
  return judgement.end
    ? { jumpTo: 'end' as const, messages: judgement.messages }
    : { messages: judgement.messages };
}
