import { randomUUID } from 'node:crypto';
import {
  type ConfigTrust,
  configWeakeningsNeedPerson,
  describeConfigWeakenings,
  HerdError,
  type LoadedHerdConfig,
  type ResolvedHerdRoles,
  redactError,
  resolveHerdRoles,
} from '@herd/core';
import type { ApprovalMemory } from '../approvals/approval-request.js';
import { assertImagesAccepted, checkTaskImages, type TaskImage } from '../images/task-image.js';
import { buildRunGraph } from '../run/build-run-graph.js';
import { createRunGuard } from '../run/create-run-guard.js';
import type { createGuardModelCalls } from '../run/guard-model-calls.js';
import type { RunContext } from '../run/run-context.js';
import type { RunMode, RunStateValue, VerificationOutcome } from '../run/run-state.js';
import { createUsageMeter, type UsageMeter } from '../run/usage-meter.js';
import { assertModelEndpointsReachable } from './check-model-endpoints.js';
import { type ApprovalResolver, driveRun, type HerdRunResult } from './drive-run.js';
import { followSignal } from './follow-signal.js';
import type { HerdRun } from './herd.js';
import type { HerdResources } from './open-herd-resources.js';
import type { RunModels } from './open-run-models.js';
import { createRunEventLog, type RunEventLog } from './run-event-log.js';
import { acquireWorkspaceRunLock, type WorkspaceRunLock } from './workspace-run-lock.js';

/** What a run borrows from the Herd that starts it: the workspace, its shared resources and its answers. */
export interface HerdRunHost {
  workspace: string;
  env: NodeJS.ProcessEnv;
  ci: boolean;
  autoApprovePlan: boolean;
  memory: ApprovalMemory;
  resolveApproval: ApprovalResolver;
  guardModelCalls: ReturnType<typeof createGuardModelCalls>;
  /** The resources every use shares, opened once. */
  opening(): Promise<HerdResources>;
  /** Resolves when a person stands behind the configuration (when the Herd checks that). */
  confirmConfig(loaded: LoadedHerdConfig): Promise<ConfigTrust | undefined>;
  /** Who accepted the workspace's configuration for this Herd (`--trust-workspace-config`), when someone did. */
  vouchedBy?: string | undefined;
  /** The guard and chat models, opened once. */
  models(opened: HerdResources, roles: ResolvedHerdRoles): Promise<RunModels>;
}

/** One run to start: a new task, a saved plan to act on, or a session to resume. */
export interface StartHerdRunInput {
  sessionId?: string;
  mode: RunMode;
  task: () => Promise<string>;
  initial: () => Promise<Partial<RunStateValue> | null>;
  signal: AbortSignal | undefined;
  images?: readonly TaskImage[] | undefined;
}

/** What a run holds while it lasts, released whatever way it ends. */
interface RunHold {
  lock?: WorkspaceRunLock;
  meter?: UsageMeter;
}

/**
 * Starts a run: its events stream at once, its result settles when it ends or waits for approval. Everything a
 * run needs is opened (or found open) first, then the run graph is driven; a failure becomes the run's last events.
 */
export function startHerdRun(host: HerdRunHost, input: StartHerdRunInput): HerdRun {
  const sessionId = input.sessionId ?? randomUUID();
  const startedAt = Date.now();
  const log = createRunEventLog({ workspace: host.workspace, sessionId, env: host.env });
  const hold: RunHold = {};
  // Always a signal of the run's own: without one, LangGraph makes its own per call and warns the same way.
  const signal = followSignal(input.signal);
  const emitGuardCall = (event: Parameters<RunEventLog['channel']['emit']>[0]) =>
    void log.channel.emit(event);
  const result = host.guardModelCalls.within(emitGuardCall, async (): Promise<HerdRunResult> => {
    try {
      return await runToEnd({ host, input, log, hold, signal, sessionId, startedAt });
    } catch (error) {
      reportRunFailure(error, { log, hold, startedAt });
      throw error;
    } finally {
      hold.lock?.release();
      signal.stop();
      log.finish();
    }
  });
  // The caller may only iterate events; the rejection is still delivered through `result`.
  result.catch(() => {});
  return { sessionId, result, [Symbol.asyncIterator]: () => log.channel[Symbol.asyncIterator]() };
}

interface RunParts {
  host: HerdRunHost;
  input: StartHerdRunInput;
  log: RunEventLog;
  hold: RunHold;
  signal: ReturnType<typeof followSignal>;
  sessionId: string;
  startedAt: number;
}

/** Opens what the run needs, checks the task and the endpoints, then drives the run graph to its end or a wait. */
async function runToEnd(parts: RunParts): Promise<HerdRunResult> {
  const { host, input, log, hold, signal, sessionId, startedAt } = parts;
  const opened = await host.opening();
  const trust = await host.confirmConfig(opened.loaded);
  if (trust && host.vouchedBy !== undefined && configWeakeningsNeedPerson(trust)) {
    log.channel.emit({
      type: 'warning',
      code: 'config_weakens',
      message: `${trust.file ?? 'The configuration'} weakens Herd, used as accepted by ${host.vouchedBy}: ${describeConfigWeakenings(trust.weakenings)}`,
    });
  }
  // Planning only reads the workspace; anything that may act holds it until the run ends.
  if (input.mode !== 'plan')
    hold.lock = acquireWorkspaceRunLock({ workspace: host.workspace, sessionId, purpose: 'run' });
  const roles = resolveHerdRoles({
    config: opened.loaded.config,
    baseDirectory: opened.loaded.baseDirectory,
    env: host.env,
  });
  log.useRedactor(opened.redactor);
  const meter = createUsageMeter({ settings: opened.settings, startedAt });
  hold.meter = meter;
  log.observe((event) => meter.observe(event));
  // A key pasted into the task is taken out before the task is stored, shown or sent to a model.
  const task = opened.redactor.redact(await input.task());
  await checkImages(input.images ?? [], host.workspace, roles);
  // Before the repository is packed or a classifier loaded: a model nobody can reach fails the run now.
  await assertModelEndpointsReachable({ roles: [roles.planner, roles.actor], signal });
  const models = await host.models(opened, roles);
  if (!input.sessionId || !(await opened.sessions.get(sessionId))) {
    await opened.sessions.record({ id: sessionId, task });
  } else {
    await opened.sessions.update({ id: sessionId, status: 'running' });
  }
  log.channel.emit({
    type: 'run-start',
    task,
    mode: input.mode,
    workspace: host.workspace,
    guard: { classifiers: models.configuredGuard.classifiers },
  });
  const context = runContext({ ...parts, opened, roles, models, meter });
  const graph = buildRunGraph({ context, checkpointer: opened.sessions.checkpointer });
  const initial = await input.initial();
  const summary = await driveRun({
    graph,
    context,
    sessions: opened.sessions,
    input: initial && { ...initial, ...(initial.task !== undefined ? { task } : {}) },
    resolveApproval: host.resolveApproval,
    events: () => log.channel.history,
  });
  const runCheckpoint = (await graph.getState(opened.sessions.threadConfig(sessionId))).values
    .runCheckpoint as string | undefined;
  const changes =
    runCheckpoint && opened.tools.checkpoints
      ? await opened.tools.checkpoints.changes({ since: runCheckpoint })
      : [];
  log.channel.emit({
    type: 'run-finish',
    status: summary.status,
    ...(input.mode === 'plan' ? {} : { verification: verificationOf(summary.verification) }),
    usage: meter.usage(),
    durationMs: Date.now() - startedAt,
  });
  // The patch is the change itself, returned as made; everything else a caller gets is redacted.
  return {
    ...opened.redactor.redactValue(summary),
    patch: changes.map((change) => change.diff).join(''),
    events: log.channel.history,
  };
}

/** Images that come with the task exist (or are URLs) and the planner's model accepts images. */
async function checkImages(
  images: readonly TaskImage[],
  workspace: string,
  roles: ResolvedHerdRoles,
): Promise<void> {
  if (images.length === 0) return;
  await checkTaskImages({ images, workspace });
  const planner = roles.planner;
  assertImagesAccepted({
    images,
    role: 'planner',
    provider: planner.provider,
    model: planner.model,
    accepts: planner.images,
  });
}

/** The context every node of the run graph reads. */
function runContext(
  parts: RunParts & { opened: HerdResources; roles: ResolvedHerdRoles; models: RunModels; meter: UsageMeter },
): RunContext {
  const { host, input, log, opened, sessionId } = parts;
  const emit = (event: Parameters<RunContext['emit']>[0]) => void log.channel.emit(event);
  return {
    sessionId,
    workspace: host.workspace,
    roles: parts.roles,
    plannerModels: parts.models.plannerModels,
    actorModels: parts.models.actorModels,
    tools: opened.tools,
    plans: opened.plans,
    settings: opened.settings,
    meter: parts.meter,
    interactive: !host.ci,
    autoApprovePlan: host.ci || host.autoApprovePlan,
    memory: host.memory,
    emit,
    announcedSteps: new Set(),
    recordStep: async (stepId) => {
      await opened.sessions.update({ id: sessionId, lastCompletedStep: stepId });
    },
    guard: createRunGuard({
      guard: parts.models.configuredGuard.guard,
      mode: host.ci ? 'ci' : input.mode === 'plan' ? 'plan' : 'act',
      interactive: !host.ci,
      memory: host.memory,
      emit,
    }),
    signal: parts.signal,
  };
}

/** A run that failed: its error (redacted in place) and a failed `run-finish` become its last events. */
function reportRunFailure(error: unknown, run: { log: RunEventLog; hold: RunHold; startedAt: number }): void {
  const { log } = run;
  // A provider's error may quote the key it was sent (a 401 that echoes it): the error is redacted in place before
  // anything reports it, here or wherever the rejection is caught.
  redactError(error, log.redactor);
  const herdError = HerdError.find(error);
  // A run refused because another holds the workspace leaves no trace in the session it named (its live run's).
  if (herdError?.code === 'workspace_busy' && !log.written) log.refuse();
  log.channel.emit({
    type: 'error',
    code: herdError?.code ?? 'internal_error',
    blame: herdError?.blame ?? 'system',
    message: (herdError ?? (error instanceof Error ? error : new Error(String(error)))).message,
    ...(herdError?.hint ? { hint: herdError.hint } : {}),
    fatal: true,
  });
  log.channel.emit({
    type: 'run-finish',
    status: 'failed',
    usage: run.hold.meter?.usage() ?? {},
    durationMs: Date.now() - run.startedAt,
  });
}

/** How a run's change was verified, as `run-finish` says it. */
function verificationOf(outcome: VerificationOutcome | undefined): 'passed' | 'failed' | 'not_run' {
  if (!outcome || outcome.skipped) return 'not_run';
  return outcome.passed ? 'passed' : 'failed';
}
