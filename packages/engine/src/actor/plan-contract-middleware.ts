import { posix } from 'node:path';
import {
  formatCommandLine,
  type HerdError,
  type HerdEventInput,
  type PlanCommand,
  type PlanStep,
  visibleText,
} from '@herd/core';
import type { ToolRegistry, ToolResult } from '@herd/tools';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { Command, ReducedValue, StateSchema } from '@langchain/langgraph';
import { createMiddleware, type WrapToolCallHook } from 'langchain';
import { z } from 'zod';
import { type ApprovalMemory, askForApproval } from '../approvals/approval-request.js';
import { commandApprovalKey } from '../approvals/command-approval-key.js';
import { LimitExceededError } from '../errors/limit-exceeded-error.js';
import { type Deviation, DeviationSchema } from '../run/run-state.js';
import { createActorReplyCheck, maxReplyCharacters } from './actor-reply-check.js';
import type { DispatcherTools } from './dispatcher-tools.js';

/** What happens when the actor steps outside its step's contract. */
export type DeviationAction = 'allow' | 'warn' | 'ask' | 'block';

/** Options for {@link planContractMiddleware}. */
export interface PlanContractMiddlewareOptions {
  /** The step being carried out. */
  step: PlanStep;
  /** Commands allowed besides the step's own (the plan's verification commands, the configured test command). */
  extraCommands: readonly PlanCommand[];
  /** The tool registry, to know which tools write and which run programs. */
  registry: ToolRegistry;
  /** The same tools dispatched as approved, for re-running a call a person approved. */
  tools: DispatcherTools;
  /** What a deviation leads to: `ask` interactively, `block` in CI by default. */
  onDeviation: DeviationAction;
  /** Whether a person can be asked at all (false in CI: anything that would ask is blocked). */
  interactive: boolean;
  /** "Allow always" answers of this session. */
  memory: ApprovalMemory;
  /** Receives tool-call, tool-result and plan-deviation events. */
  emit: (event: HerdEventInput) => void;
  /** Most tool calls in this step; one more ends the run with exit code 4. */
  maxToolCalls?: number;
  /** Whether a person approved the plan, which approves the commands it names (a policy approval does not). */
  commandsApproved?: boolean;
  /**
   * The repository's own test command (`run.testCommand`): it runs without asking for the actor too, as it does for
   * verification (under the sandbox; the command policy's `deny` rules still apply).
   */
  testCommand?: PlanCommand | undefined;
}

/**
 * The agent state the plan contract adds: the deviations of the step so far. They are written together with the
 * tool call's message, so they are checkpointed with it: a step that resumes after an approval, even in another
 * process, still has the deviations recorded before the pause, and a replayed tool call does not record twice.
 */
export const planContractState = new StateSchema({
  deviations: new ReducedValue(
    z.array(DeviationSchema).default(() => []),
    {
      reducer: (recorded: Deviation[], next: Deviation[]) => [...recorded, ...next],
    },
  ),
});

/**
 * What the plan contract decided about the model's last reply, to be carried out once the guard has let the reply
 * through (a guard that ends the run skips it): end the step with `stop` (the tool-call limit, or a loop the
 * refusals did not break), or send `askAgain` to the model right away (after an empty reply, once per step).
 */
export type PlanContractFollowUp = { stop: HerdError } | { askAgain: HumanMessage };

/**
 * Enforces the plan as a contract on every tool call of the actor: a write to a file the step does not list, or a
 * command the plan does not name, is a deviation that the policy allows, warns about, asks a person about, or
 * blocks. Also asks for approval when the command policy says `ask`, and reports every call and result. Each
 * deviation is recorded in the agent's `deviations` state (see {@link planContractState}).
 *
 * Returns two middlewares and the follow-up of each reply; `actorMiddleware` puts them in their places. They are two because LangChain parses the state schema of every middleware that wraps model
 * calls on each model call, building and compiling a zod schema every time; the reply judge has no state of its
 * own, so it costs nothing.
 *
 * @example
 * const contract = planContractMiddleware(options);
 * createAgent({ model, tools, middleware: [contract.calls, routing, contract.replies] }); // + contract.takeFollowUp()
 */
export function planContractMiddleware(options: PlanContractMiddlewareOptions) {
  const { step, registry, emit } = options;
  const declaredFiles = new Set(step.files.map((file) => normalizePath(file.path)));
  const declaredCommands = new Set([...step.commands, ...options.extraCommands].map(commandKey));
  let toolCalls = 0;
  const replyCheck = createActorReplyCheck({
    stepId: step.id,
    toolNames: options.tools.tools.map((candidate) => candidate.name),
    ...(options.maxToolCalls !== undefined ? { maxToolCalls: options.maxToolCalls } : {}),
  });
  /** Calls that are answered with a refusal instead of being run, and why. */
  const refusedCalls = new Map<string, string>();
  /** Set by a reply that ends the step; handed out by takeFollowUp, not thrown inside the model call. */
  let stop: HerdError | undefined;
  let emptyReplies = 0;
  let askAgain = false;
  let warnedAboutTextCalls = false;

  const replies = createMiddleware({
    name: 'HerdPlanContractReplies',
    // Each reply is judged as a whole before any of its calls runs, so a bad reply is never half run.
    wrapModelCall: async (request, handler) => {
      const response = await handler(request);
      if (!AIMessage.isInstance(response)) return response;
      const verdict = replyCheck.judge({ reply: response, toolCallsSoFar: toolCalls });
      for (const [id, text] of verdict.refusals) refusedCalls.set(id, text);
      stop = verdict.stop;
      // An empty reply is not the end of a step: the actor is asked once to act or to say it is done.
      askAgain = verdict.empty === true && emptyReplies++ === 0;
      if (verdict.cutFrom !== undefined) {
        emit({
          type: 'warning',
          code: 'reply_cut',
          message: `The actor's reply in step ${step.id} was ${verdict.cutFrom} characters long, so Herd kept the first ${maxReplyCharacters}; lower the actor's maxOutputTokens or check that the host honours max_tokens.`,
        });
      }
      if (verdict.callsFromText && !warnedAboutTextCalls) {
        warnedAboutTextCalls = true;
        emit({
          type: 'warning',
          code: 'tool_calls_in_text',
          message:
            'The actor\'s host returned tool calls as message text although tools were declared, and Herd read them from the text; set toolCalling to "text" for this provider in herd.config.json, or enable the host\'s Llama 4 tool parser (vLLM: --enable-auto-tool-choice --tool-call-parser llama4_pythonic).',
        });
      }
      return verdict.reply;
    },
  });
  const calls = createMiddleware({
    name: 'HerdPlanContract',
    stateSchema: planContractState,
    wrapToolCall: async (request, handler) => {
      const outcome = await enforce(request, handler);
      return outcome.deviation ? recordDeviation(outcome.result, outcome.deviation) : outcome.result;
    },
  });
  return {
    /** Judges each reply of the model as a whole before any of its calls runs (a `wrapModelCall`, no state). */
    replies,
    /** Runs each tool call under the contract and keeps the deviations in the state ({@link planContractState}). */
    calls,
    /**
     * The follow-up of the reply `replies` judged last, once. Call it after the model call and after the guard's
     * judgement of the reply, never inside the model-routing middleware, which would report a stop as a failed
     * model call.
     */
    takeFollowUp,
  };

  function takeFollowUp(): PlanContractFollowUp | undefined {
    const error = stop;
    stop = undefined;
    if (error) return { stop: error };
    if (!askAgain) return undefined;
    askAgain = false;
    return {
      askAgain: new HumanMessage(
        `Your reply was empty. Carry out step ${step.id} with the tools, or, if it is done, reply with a short summary of what you changed.`,
      ),
    };
  }

  /** Runs one tool call under the contract; says which deviation it was, if it was one. */
  async function enforce(
    request: Parameters<ContractHook>[0],
    handler: Parameters<ContractHook>[1],
  ): Promise<{ result: ToolMessage | Command; deviation?: Deviation }> {
    const call = request.toolCall;
    const callId = call.id ?? `${call.name}-${JSON.stringify(call.args).length}`;
    const args = (call.args ?? {}) as Record<string, unknown>;
    toolCalls++;
    if (options.maxToolCalls !== undefined && toolCalls > options.maxToolCalls) {
      throw new LimitExceededError({
        limit: 'toolCallsPerStep',
        value: toolCalls,
        maximum: options.maxToolCalls,
      });
    }
    emit({ type: 'tool-call', callId, name: call.name, arguments: args });
    const refusedBecause = call.id === undefined ? undefined : refusedCalls.get(call.id);
    if (refusedBecause) return { result: refusal({ callId, name: call.name, emit, text: refusedBecause }) };

    // An unknown tool, or arguments that fail the tool's schema, never reach LangChain's own handling (a plain
    // string result, or an error with a stack trace): the dispatcher refuses them without running anything, in
    // words the model can act on.
    const definition = registry.get(call.name);
    if (!definition?.input.safeParse(args).success) {
      const refused = await options.tools.dispatcher.dispatch({
        name: call.name,
        arguments: args,
        id: callId,
      });
      emit({
        type: 'tool-result',
        callId,
        name: call.name,
        ok: false,
        content: refused.content,
        errorCode: refused.error?.code ?? 'invalid_arguments',
      });
      return {
        result: new ToolMessage({
          tool_call_id: callId,
          name: call.name,
          content: refused.content,
          status: 'error',
        }),
      };
    }

    const found = findDeviation({ name: call.name, args });
    const deviation: Deviation | undefined = found && {
      stepId: step.id,
      ...found,
      action: options.interactive || options.onDeviation !== 'ask' ? options.onDeviation : 'block',
    };
    if (deviation) {
      emit({ type: 'plan-deviation', ...deviation });
      const refused =
        deviation.action === 'block' ||
        (deviation.action === 'ask' &&
          askForApproval({
            memory: options.memory,
            request: {
              requestId: `deviation-${callId}`,
              kind: 'deviation',
              title: `${deviation.detail}. Allow it?`,
              detail: `Step ${step.id} (${step.title}) does not declare this.`,
              rememberKey: `deviation:${deviation.detail}`,
            },
          }) === 'reject');
      if (refused) {
        return {
          deviation,
          result: refusal({
            callId,
            name: call.name,
            emit,
            text: `Refused: ${deviation.detail}, which step ${step.id} does not declare. Stay within the step's files and commands, or finish the step and explain what else is needed.`,
          }),
        };
      }
    }

    // A command the approved plan names was approved with the plan: the policy's `ask` is already answered
    // (its `deny` rules still apply).
    // Only a command the plan names (or the run's test command): an exec tool without an argv (an MCP server's tool)
    // is never approved by it, nor the named argv in another folder or with a script on standard input, which the
    // plan did not show.
    const argvKey =
      registry.get(call.name)?.access === 'exec' &&
      Array.isArray(args.argv) &&
      args.stdin === undefined &&
      (args.cwd === undefined || args.cwd === '.')
        ? commandKey(args.argv.map(String))
        : undefined;
    const declaredCommand =
      argvKey !== undefined &&
      ((options.commandsApproved === true && declaredCommands.has(argvKey)) ||
        (options.testCommand !== undefined && argvKey === commandKey(options.testCommand)));
    const approvedTool = declaredCommand ? options.tools.approved(call.name) : undefined;
    let result = await handler(approvedTool ? { ...request, tool: approvedTool } : request);
    const outcome = toolResultOf(result);
    if (outcome?.approval && options.interactive) {
      const decision = askForApproval({
        memory: options.memory,
        request: {
          requestId: `command-${callId}`,
          kind: 'command',
          title: `Run \`${formatCommandLine(outcome.approval.argv)}\`${outcome.approval.cwd ? ` in ${visibleText(outcome.approval.cwd)}` : ''}${outcome.approval.stdin !== undefined ? ' with the standard input below' : ''}${outcome.approval.unsandboxed ? ' UNSANDBOXED' : ''}?`,
          detail: `${outcome.approval.reason}${describeStdin(outcome.approval.stdin)}`,
          rememberKey: commandApprovalKey({
            argv: outcome.approval.argv,
            cwd: typeof args.cwd === 'string' ? args.cwd : undefined,
            stdin: typeof args.stdin === 'string' ? args.stdin : undefined,
          }),
          ...(outcome.approval.unsandboxed ? { unsandboxed: outcome.approval.unsandboxed } : {}),
        },
      });
      const approvedTwin = options.tools.approved(call.name);
      if (decision !== 'reject' && approvedTwin) {
        result = await handler({ ...request, tool: approvedTwin });
      } else {
        return {
          ...(deviation ? { deviation } : {}),
          result: refusal({
            callId,
            name: call.name,
            emit,
            text: `A person refused to run \`${formatCommandLine(outcome.approval.argv)}\`.`,
          }),
        };
      }
    }
    if (outcome?.approval && !options.interactive) {
      // Nobody can answer in an unattended run: the model is told so, not to wait for an approval that cannot come.
      return {
        ...(deviation ? { deviation } : {}),
        result: refusal({
          callId,
          name: call.name,
          emit,
          errorCode: 'approval_required',
          text: `Not run: \`${outcome.approval.argv.join(' ')}\` needs a person's approval (${outcome.approval.reason}), and no approval can come: this run is unattended (CI). Do not wait or ask for it again; go on without it, or finish the step and say what still needs to run.`,
        }),
      };
    }
    const final = toolResultOf(result);
    emit({
      type: 'tool-result',
      callId,
      name: call.name,
      ok: final?.ok ?? true,
      content: ToolMessage.isInstance(result) ? String(result.content).slice(0, 4_000) : '',
      ...(final?.error ? { errorCode: final.error.code } : {}),
      ...(sandboxOf(final) !== undefined ? { sandboxed: sandboxOf(final) } : {}),
    });
    return { result, ...(deviation ? { deviation } : {}) };
  }

  function findDeviation(input: {
    name: string;
    args: Record<string, unknown>;
  }): Omit<Deviation, 'stepId' | 'action'> | undefined {
    const definition = registry.get(input.name);
    if (definition?.access === 'write' && typeof input.args.path === 'string') {
      const path = normalizePath(input.args.path);
      if (!declaredFiles.has(path)) return { kind: 'undeclared_file', detail: `writing ${path}` };
    }
    if (definition?.access === 'exec' && Array.isArray(input.args.argv)) {
      const argv = input.args.argv.map(String);
      if (!declaredCommands.has(commandKey(argv)))
        return { kind: 'undeclared_command', detail: `running ${JSON.stringify(argv)}` };
    }
    return undefined;
  }
}

type ContractHook = WrapToolCallHook<typeof planContractState>;

/** The plan contract of one step (see {@link planContractMiddleware}). */
export type PlanContract = ReturnType<typeof planContractMiddleware>;

/**
 * Returns a tool call's result together with the deviation it was, as one state update: the deviation is
 * checkpointed exactly when the call's message is.
 */
function recordDeviation(result: ToolMessage | Command, deviation: Deviation): Command {
  if (ToolMessage.isInstance(result)) {
    return new Command({ update: { messages: [result], deviations: [deviation] } });
  }
  // A Command from an inner middleware or tool: its own update goes along with the deviation.
  const update = Array.isArray(result.update) ? Object.fromEntries(result.update) : (result.update ?? {});
  return new Command({ ...result, update: { ...update, deviations: [deviation] } });
}

function refusal(input: {
  callId: string;
  name: string;
  text: string;
  emit: (event: HerdEventInput) => void;
  /** Default `refused`; `approval_required` when the command policy asked and nobody can answer. */
  errorCode?: string;
}) {
  input.emit({
    type: 'tool-result',
    callId: input.callId,
    name: input.name,
    ok: false,
    content: input.text,
    errorCode: input.errorCode ?? 'refused',
  });
  return new ToolMessage({
    tool_call_id: input.callId,
    name: input.name,
    content: input.text,
    status: 'error',
  });
}

function toolResultOf(message: unknown): ToolResult | undefined {
  if (!ToolMessage.isInstance(message)) return undefined;
  const artifact = message.artifact as ToolResult | undefined;
  return artifact && typeof artifact === 'object' && 'ok' in artifact ? artifact : undefined;
}

function sandboxOf(result: ToolResult | undefined): boolean | undefined {
  const sandbox = (result?.data as { sandbox?: { kind?: string } } | undefined)?.sandbox;
  return sandbox?.kind === undefined ? undefined : sandbox.kind !== 'none';
}

/** Normalizes a workspace-relative path the way a plan would write it: `./src//a.ts` → `src/a.ts`. */
export function normalizePath(path: string): string {
  return posix
    .normalize(path.replaceAll('\\', '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/\/$/, '');
}

/** How much of a command's standard input an approval question shows. */
const stdinShown = 2000;

/** The lines of an approval question's detail that show what a command gets on standard input, or nothing. */
function describeStdin(stdin: string | undefined): string {
  if (stdin === undefined) return '';
  const rest =
    stdin.length > stdinShown ? `\n… (${stdin.length - stdinShown} more characters not shown)` : '';
  return `\nStandard input (${Buffer.byteLength(stdin)} bytes):\n${visibleText(stdin.slice(0, stdinShown), { keepNewlines: true })}${rest}`;
}

function commandKey(argv: readonly string[]): string {
  return argv.join('\u0000');
}
