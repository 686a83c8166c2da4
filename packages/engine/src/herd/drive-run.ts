import { GuardError, HerdError, type HerdEvent } from '@herd/core';
import { Command } from '@langchain/langgraph';
import {
  type ApprovalDecision,
  type ApprovalRequest,
  ApprovalRequestSchema,
} from '../approvals/approval-request.js';
import type { RunGraph } from '../run/build-run-graph.js';
import type { RunContext } from '../run/run-context.js';
import type { Deviation, RunStateValue, RunStatus, VerificationOutcome } from '../run/run-state.js';
import type { SessionStore } from '../sessions/session-store.js';

/** How a run ended, for a front door's report. */
export interface HerdRunResult {
  sessionId: string;
  /** `awaiting_approval` when the run stopped for a person's answer; `herd resume` continues it. */
  status: RunStatus | 'awaiting_approval';
  /** One line saying why, when the run did not succeed. */
  reason: string | undefined;
  planId: string | undefined;
  plan: RunStateValue['plan'];
  completedSteps: string[];
  deviations: Deviation[];
  verification: VerificationOutcome | undefined;
  /** Questions waiting for a person. */
  pendingApprovals: ApprovalRequest[];
  /** The unified diff of everything the run changed. */
  patch: string;
  /** Every event of the run. */
  events: readonly HerdEvent[];
}

/** Answers approval requests: a prompt, an ACP permission request; `undefined` leaves the question pending. */
export type ApprovalResolver = (request: ApprovalRequest) => Promise<ApprovalDecision | undefined>;

/** Options for {@link driveRun}. */
export interface DriveRunOptions {
  graph: RunGraph;
  context: RunContext;
  sessions: SessionStore;
  /** The first input: the initial state, or `null` to continue a checkpointed run. */
  input: Partial<RunStateValue> | null;
  resolveApproval: ApprovalResolver;
  events: () => readonly HerdEvent[];
}

interface PendingInterrupt {
  id: string | undefined;
  request: ApprovalRequest;
}

/**
 * Runs the graph to its end, pausing at each interrupt to ask for approval and resuming with the answer; maps
 * errors to a final status. The session record follows along so `herd sessions` and `herd resume` are accurate.
 */
export async function driveRun(options: DriveRunOptions): Promise<Omit<HerdRunResult, 'patch' | 'events'>> {
  const { graph, context, sessions } = options;
  const config = {
    ...sessions.threadConfig(context.sessionId),
    ...(context.signal ? { signal: context.signal } : {}),
  };
  let next: Partial<RunStateValue> | Command | null = options.input;
  let pending: PendingInterrupt[] = [];
  for (;;) {
    try {
      // The graph's typed Command narrows `goto` to its node names; a resume-only Command is valid for any graph.
      await graph.invoke(next as Parameters<RunGraph['invoke']>[0], config);
    } catch (error) {
      return finish({ options, status: statusOf(context, error), reason: reasonFor(error), error });
    }
    pending = await pendingInterrupts(graph, config);
    if (pending.length === 0) break;
    for (const { request } of pending) {
      context.emit({
        type: 'approval-request',
        requestId: request.requestId,
        kind: request.kind,
        title: request.title,
        ...(request.detail ? { detail: request.detail } : {}),
      });
    }
    let decisions: Array<ApprovalDecision | undefined>;
    try {
      decisions = await Promise.all(pending.map(({ request }) => options.resolveApproval(request)));
    } catch (error) {
      return finish({ options, status: statusOf(context, error), reason: reasonFor(error), error });
    }
    // Stopped while a question was open (Ctrl-C at the prompt, an editor's cancel): the run is cancelled.
    if (context.signal?.aborted) return finish({ options, status: 'cancelled', reason: undefined });
    if (decisions.some((decision) => decision === undefined)) {
      await sessions.update({ id: context.sessionId, status: 'awaiting_approval' });
      return summarize({
        options,
        state: await stateOf(graph, config),
        status: 'awaiting_approval',
        reason: 'waiting for approval',
        pending,
      });
    }
    pending.forEach(({ request }, index) => {
      context.emit({ type: 'approval-resolve', requestId: request.requestId, decision: decisions[index]! });
    });
    next =
      pending.length === 1
        ? new Command({ resume: decisions[0] })
        : new Command({
            resume: Object.fromEntries(pending.map((entry, index) => [entry.id, decisions[index]])),
          });
  }
  const state = await stateOf(graph, config);
  const status: RunStatus =
    state.status ?? (state.verification && !state.verification.passed ? 'verification_failed' : 'succeeded');
  const reason =
    state.reason ??
    (status === 'verification_failed'
      ? 'verification still fails after the fix attempts and re-plans'
      : undefined);
  return finish({ options, status, reason, state });
}

async function finish(input: {
  options: DriveRunOptions;
  status: RunStatus;
  reason: string | undefined;
  state?: RunStateValue;
  error?: unknown;
}): Promise<Omit<HerdRunResult, 'patch' | 'events'>> {
  const { options, status, error } = input;
  const { context, sessions, graph } = options;
  let { reason } = input;
  if (status === 'cancelled' && (error !== undefined || context.signal?.aborted)) {
    // Stopping on request is not a failure: the session continues where it stopped.
    reason = 'cancelled before the run finished';
    context.emit({
      type: 'warning',
      code: 'run_cancelled',
      message: `Cancelled; \`herd resume ${context.sessionId}\` continues the run after its last completed step.`,
    });
  } else if (error !== undefined) {
    const herdError = HerdError.find(error);
    context.emit({
      type: 'error',
      code: herdError?.code ?? 'internal_error',
      blame: herdError?.blame ?? 'system',
      // The Herd error inside a LangChain wrapper says what to do; the wrapper's own message need not.
      message: herdError?.message ?? (error instanceof Error ? error.message : String(error)),
      ...(herdError?.hint ? { hint: herdError.hint } : {}),
      fatal: true,
    });
  }
  const state = input.state ?? (await stateOf(graph, sessions.threadConfig(context.sessionId)));
  await sessions.update({
    id: context.sessionId,
    status: status === 'succeeded' ? 'completed' : status === 'cancelled' ? 'cancelled' : 'failed',
    planId: state.planId ?? null,
    lastCompletedStep: state.completedSteps.at(-1) ?? null,
  });
  return summarize({ options, state, status, reason, pending: [] });
}

function summarize(input: {
  options: DriveRunOptions;
  state: RunStateValue;
  status: HerdRunResult['status'];
  reason: string | undefined;
  pending: PendingInterrupt[];
}): Omit<HerdRunResult, 'patch' | 'events'> {
  const { state } = input;
  return {
    sessionId: input.options.context.sessionId,
    status: input.status,
    reason: input.reason,
    planId: state.planId,
    plan: state.plan,
    completedSteps: state.completedSteps,
    deviations: state.deviations,
    verification: state.verification,
    pendingApprovals: input.pending.map((entry) => entry.request),
  };
}

async function stateOf(
  graph: RunGraph,
  config: ReturnType<SessionStore['threadConfig']>,
): Promise<RunStateValue> {
  const snapshot = await graph.getState(config);
  return snapshot.values as RunStateValue;
}

async function pendingInterrupts(
  graph: RunGraph,
  config: ReturnType<SessionStore['threadConfig']>,
): Promise<PendingInterrupt[]> {
  const snapshot = await graph.getState(config, { subgraphs: true });
  const found: PendingInterrupt[] = [];
  for (const task of snapshot.tasks) {
    for (const interrupt of task.interrupts) {
      const parsed = ApprovalRequestSchema.safeParse(interrupt.value);
      if (parsed.success) found.push({ id: interrupt.id, request: parsed.data });
    }
  }
  return found;
}

/** How a run that threw ended: cancelled whenever its signal fired, whatever the interrupted work threw. */
function statusOf(context: RunContext, thrown: unknown): RunStatus {
  return context.signal?.aborted ? 'cancelled' : statusFor(thrown);
}

function statusFor(thrown: unknown): RunStatus {
  // LangChain wraps errors thrown in middleware; the Herd error inside decides.
  const error = HerdError.find(thrown);
  if (error?.code === 'limit_exceeded') return 'limits_exceeded';
  if (error instanceof GuardError || error?.blame === 'guard') return 'blocked';
  if (error) return 'failed';
  if (thrown instanceof Error && (thrown.name === 'AbortError' || /abort/i.test(thrown.message)))
    return 'cancelled';
  return 'failed';
}

function reasonFor(thrown: unknown): string {
  const error = HerdError.find(thrown) ?? thrown;
  return error instanceof Error ? error.message : String(error);
}
