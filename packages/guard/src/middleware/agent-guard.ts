import { GuardError } from '@herd/core';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { WrapToolCallHook } from 'langchain';
import type { Guard } from '../guard/create-guard.js';
import type { GuardScanRequest, GuardVerdict } from '../guard/guard-verdict.js';
import type { BlockOutcome, GuardMode, ScanPoint } from '../policy/guard-policy.js';

/** What a person is asked when a verdict is `ask`. */
export interface GuardApprovalRequest {
  /** Scan point. */
  point: ScanPoint;
  /** The verdict that asks. */
  verdict: GuardVerdict;
  /** For tool calls and tool outputs: the tool. */
  toolName?: string;
}

/** Options for {@link createAgentGuard} (and `guardMiddleware`, which is built on it). */
export interface AgentGuardOptions {
  /** The guard (policy, scanners, audit log, cache). */
  guard: Guard;
  /** Mode of every scan; defaults to the guard's. */
  mode?: GuardMode;
  /** How a block ends the step; defaults to the policy's `blockOutcome`. */
  blockOutcome?: BlockOutcome;
  /**
   * Answers `ask` verdicts (an approval prompt, an ACP permission request). Without it, `ask` is treated as `block`
   * (fail closed). Returning true lets the content through unchanged.
   */
  approve?: (request: GuardApprovalRequest) => Promise<boolean>;
  /** Sees every verdict (for `guard-verdict` events and warnings). */
  onVerdict?: (verdict: GuardVerdict) => void;
}

/** What the guard decided about the messages before a model call, or about the model's reply. */
export interface GuardJudgement {
  /**
   * Messages for the agent's state: the judged messages with new content and the same ids (so the state's reducer
   * replaces them), followed, when {@link end} is set, by the reply that ends the run.
   */
  messages: BaseMessage[];
  /** The run ends here, its last message the guard's; no model call or tool call follows. */
  end: boolean;
}

/**
 * The guard's work inside an agent loop, as functions a host calls from its own hooks: `guardMiddleware` calls them
 * from a `beforeModel` and an `afterModel` hook; an agent that wants no graph node of its own for them can call them
 * from inside its model call. Either way, what {@link judgeInput} and {@link judgeReply} return must be written to
 * the agent's state before anything else reads it, and a judgement that ends the run must end it.
 */
export interface AgentGuard {
  /**
   * Whether an `ask` verdict goes to a person (`approve` was given). Judging may then pause the agent (an approval
   * that is a LangGraph interrupt): a resumed agent runs the interrupted graph node again from its start, so the
   * judging of a reply must then be a node of its own, or the model would be called again on resume.
   */
  readonly asks: boolean;
  /**
   * Judges what the next model call would see that the guard has not judged yet (`user_input`: new user turns;
   * `tool_output`: tool results that did not come through {@link wrapToolCall}, as in restored history), and ends
   * the run when a tool output was blocked with outcome `end`. Throws a {@link GuardError} for outcome `error`.
   * `undefined` when nothing changes.
   */
  judgeInput(messages: readonly BaseMessage[]): Promise<GuardJudgement | undefined>;
  /**
   * Judges the model's reply, the last AI message of `messages`, before any of its tool calls runs: its text
   * (`model_output`, with the last user turn as context) and every tool call's arguments (`tool_call`). Throws a
   * {@link GuardError} for outcome `error`. `undefined` when the reply goes on unchanged.
   */
  judgeReply(messages: readonly BaseMessage[]): Promise<GuardJudgement | undefined>;
  /** Judges each tool's output as soon as the tool returns (`tool_output`), before anything else sees it. */
  wrapToolCall: WrapToolCallHook;
}

type Decision = { kind: 'pass'; text: string } | { kind: 'block'; verdict: GuardVerdict };

/**
 * Creates the guard of one agent (or of several agents run one after the other, as the steps of a run): it
 * remembers which tool outputs it judged and which ended the run. A block ends the run with a clear message
 * (`end`), throws a {@link GuardError} (`error`), or replaces the offending content (`replace`); `redact` verdicts
 * pass the redacted content on; `ask` verdicts go to `approve`.
 *
 * @example
 * const agentGuard = createAgentGuard({ guard });
 * const judged = await agentGuard.judgeReply([...messages, reply]); // before the reply's tool calls run
 */
export function createAgentGuard(options: AgentGuardOptions): AgentGuard {
  const { guard, approve, onVerdict } = options;
  const outcome = options.blockOutcome ?? guard.policy.blockOutcome;
  // Tool outputs blocked with outcome `end`, by tool call id: the next judgeInput ends the run.
  const endedByTool = new Map<string, string>();
  // Tool results already judged in wrapToolCall, by tool call id, so judgeInput does not judge them again.
  const scannedToolCalls = new Set<string>();

  const scan = async (requests: GuardScanRequest[]): Promise<GuardVerdict[]> => {
    const verdicts = await guard.scanMany(
      requests.map((request) => ({ ...request, ...(options.mode ? { mode: options.mode } : {}) })),
    );
    for (const verdict of verdicts) onVerdict?.(verdict);
    return verdicts;
  };

  const decide = async (verdict: GuardVerdict, toolName?: string): Promise<Decision> => {
    if (verdict.action === 'block') return { kind: 'block', verdict };
    if (verdict.action === 'ask') {
      const approved = approve
        ? await approve({ point: verdict.point, verdict, ...(toolName ? { toolName } : {}) })
        : false;
      return approved ? { kind: 'pass', text: verdict.text } : { kind: 'block', verdict };
    }
    return { kind: 'pass', text: verdict.text };
  };

  const judgeInput = async (messages: readonly BaseMessage[]): Promise<GuardJudgement | undefined> => {
    const lastAi = findLastIndex(messages, (message) => AIMessage.isInstance(message));
    for (const message of messages.slice(lastAi + 1)) {
      const ended = ToolMessage.isInstance(message) ? endedByTool.get(message.tool_call_id) : undefined;
      if (ended !== undefined) {
        endedByTool.delete((message as ToolMessage).tool_call_id);
        return { end: true, messages: [new AIMessage(ended)] };
      }
    }
    // New user turns, and tool results that did not come through wrapToolCall (restored or injected history).
    const fresh = messages
      .slice(lastAi + 1)
      .filter(
        (message) =>
          message.text.length > 0 &&
          (HumanMessage.isInstance(message) ||
            (ToolMessage.isInstance(message) && !scannedToolCalls.has(message.tool_call_id))),
      );
    if (fresh.length === 0) return undefined;
    const verdicts = await scan(
      fresh.map((message) =>
        ToolMessage.isInstance(message)
          ? { point: 'tool_output', text: message.text, ...(message.name ? { source: message.name } : {}) }
          : { point: 'user_input', text: message.text },
      ),
    );
    const replaced: BaseMessage[] = [];
    for (const [position, message] of fresh.entries()) {
      const toolName = ToolMessage.isInstance(message) ? message.name : undefined;
      if (ToolMessage.isInstance(message)) scannedToolCalls.add(message.tool_call_id);
      const decision = await decide(verdicts[position] as GuardVerdict, toolName);
      if (decision.kind === 'block') {
        const violation = violationText(decision.verdict);
        if (outcome === 'error') throw guardError(decision.verdict);
        if (outcome === 'end') {
          return { end: true, messages: [withContent(message, violation), new AIMessage(violation)] };
        }
        replaced.push(withContent(message, violation));
      } else if (decision.text !== message.text) {
        replaced.push(withContent(message, decision.text));
      }
    }
    return replaced.length > 0 ? { end: false, messages: replaced } : undefined;
  };

  const judgeReply = async (messages: readonly BaseMessage[]): Promise<GuardJudgement | undefined> => {
    const reply = messages[findLastIndex(messages, (message) => AIMessage.isInstance(message))];
    if (!reply || !AIMessage.isInstance(reply)) return undefined;
    const userIndex = findLastIndex(messages, (message) => HumanMessage.isInstance(message));
    const userTurn = userIndex >= 0 ? (messages[userIndex] as BaseMessage).text : undefined;
    const toolCalls = reply.tool_calls ?? [];
    const requests: GuardScanRequest[] = [];
    if (reply.text.length > 0)
      requests.push({
        point: 'model_output',
        text: reply.text,
        ...(userTurn !== undefined ? { userTurn } : {}),
      });
    for (const call of toolCalls)
      requests.push({ point: 'tool_call', text: callText(call), source: call.name });
    if (requests.length === 0) return undefined;
    const verdicts = await scan(requests);
    let content = reply.text;
    let changed = false;
    const blocked: GuardVerdict[] = [];
    let cursor = 0;
    if (reply.text.length > 0) {
      const decision = await decide(verdicts[cursor++] as GuardVerdict);
      if (decision.kind === 'block') blocked.push(decision.verdict);
      else if (decision.text !== content) {
        content = decision.text;
        changed = true;
      }
    }
    const keptCalls: typeof toolCalls = [];
    for (const call of toolCalls) {
      const verdict = verdicts[cursor++] as GuardVerdict;
      const decision = await decide(verdict, call.name);
      if (decision.kind === 'block') {
        blocked.push(decision.verdict);
        continue;
      }
      const redactedArgs =
        decision.text === callText(call) ? call.args : parseArguments(call.name, decision.text);
      if (redactedArgs === undefined) {
        // Redaction broke the arguments' JSON: the call cannot run as the model wrote it.
        blocked.push(verdict);
        continue;
      }
      changed ||= redactedArgs !== call.args;
      keptCalls.push({ ...call, args: redactedArgs });
    }
    if (blocked.length > 0) return blockedReply({ reply, content, keptCalls, blocked });
    return changed
      ? { end: false, messages: [new AIMessage({ id: reply.id, content, tool_calls: keptCalls })] }
      : undefined;
  };

  /** What a reply becomes when the guard blocked its text or some of its calls. */
  const blockedReply = (input: {
    reply: AIMessage;
    content: string;
    keptCalls: NonNullable<AIMessage['tool_calls']>;
    blocked: GuardVerdict[];
  }): GuardJudgement => {
    const { reply, content, keptCalls, blocked } = input;
    const first = blocked[0] as GuardVerdict;
    if (outcome === 'error') throw guardError(first);
    const violation = blocked.map(violationText).join(' ');
    if (outcome === 'end') {
      return { end: true, messages: [new AIMessage({ id: reply.id, content: violation })] };
    }
    const note =
      content.length > 0 && !blocked.some((verdict) => verdict.point === 'model_output')
        ? `${content}\n\n${violation}`
        : violation;
    return { end: false, messages: [new AIMessage({ id: reply.id, content: note, tool_calls: keptCalls })] };
  };

  const wrapToolCall: WrapToolCallHook = async (request, handler) => {
    const result = await handler(request);
    if (!ToolMessage.isInstance(result)) return result;
    scannedToolCalls.add(result.tool_call_id);
    const text = result.text;
    if (text.length === 0) return result;
    const [verdict] = await scan([{ point: 'tool_output', text, source: request.toolCall.name }]);
    const decision = await decide(verdict as GuardVerdict, request.toolCall.name);
    if (decision.kind === 'pass') {
      return decision.text === text
        ? result
        : new ToolMessage({
            id: result.id,
            tool_call_id: result.tool_call_id,
            name: result.name,
            content: decision.text,
          });
    }
    if (outcome === 'error') throw guardError(decision.verdict);
    const violation = violationText(decision.verdict);
    if (outcome === 'end') endedByTool.set(result.tool_call_id, violation);
    return new ToolMessage({
      id: result.id,
      tool_call_id: result.tool_call_id,
      name: result.name,
      content: violation,
      status: 'error',
    });
  };

  return { asks: approve !== undefined, judgeInput, judgeReply, wrapToolCall };
}

/** How a tool call is scanned at `tool_call`: its name, a space, its arguments as JSON. */
function callText(call: { name: string; args: unknown }): string {
  return `${call.name} ${JSON.stringify(call.args)}`;
}

/** The same message (same id, so the state reducer replaces it) with new content. */
function withContent(message: BaseMessage, content: string): BaseMessage {
  if (ToolMessage.isInstance(message)) {
    return new ToolMessage({
      id: message.id,
      tool_call_id: message.tool_call_id,
      name: message.name,
      content,
    });
  }
  return new HumanMessage({ id: message.id, content });
}

function violationText(verdict: GuardVerdict): string {
  return `Herd's guard blocked this ${verdict.point.replace('_', ' ')}: ${verdict.reason}`;
}

function guardError(verdict: GuardVerdict): GuardError {
  const decider = verdict.results.find((result) => result.action === verdict.action) ?? verdict.results[0];
  return new GuardError({
    code: 'guard_blocked',
    message: violationText(verdict),
    point: verdict.point,
    ...(decider ? { scanner: decider.scanner } : {}),
    categories: decider?.categories ?? [],
  });
}

function parseArguments(name: string, text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text.slice(name.length + 1));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function findLastIndex(
  messages: readonly BaseMessage[],
  predicate: (message: BaseMessage) => boolean,
): number {
  for (let index = messages.length - 1; index >= 0; index--)
    if (predicate(messages[index] as BaseMessage)) return index;
  return -1;
}
