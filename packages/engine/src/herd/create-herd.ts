import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  type ConfigTrustQuestion,
  createSecretRedactor,
  emptySecretDetector,
  ensureConfigTrusted,
  HerdError,
  type HerdEvent,
  type HerdEventInput,
  type LoadedHerdConfig,
  type ResolvedHerdRoles,
  redactError,
  resolveHerdRoles,
  type SecretRedactor,
  UserError,
} from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createGuardFromConfig, createSecretsRedactor } from '@herd/guard';
import {
  type CommandRunner,
  createWorkspaceTools,
  type RestoreResult,
  type ToolDefinition,
  type WorkspaceFileSystem,
} from '@herd/tools';
import type { ApprovalDecision, ApprovalMemory, ApprovalRequest } from '../approvals/approval-request.js';
import { createEventChannel } from '../events/event-channel.js';
import { assertImagesAccepted, checkTaskImages, type TaskImage } from '../images/task-image.js';
import { createPlanStore } from '../planner/plan-store.js';
import { buildRunGraph } from '../run/build-run-graph.js';
import { createRunGuard } from '../run/create-run-guard.js';
import { createGuardModelCalls } from '../run/guard-model-calls.js';
import type { RunContext } from '../run/run-context.js';
import type { RunMode, RunStateValue, VerificationOutcome } from '../run/run-state.js';
import { createUsageMeter } from '../run/usage-meter.js';
import { createSessionStore } from '../sessions/create-session-store.js';
import type { SessionRecord } from '../sessions/session-record.js';
import { loadWorkspaceConfig } from '../settings/load-workspace-config.js';
import { parseRunSettings } from '../settings/run-settings.js';
import { assertModelEndpointsReachable } from './check-model-endpoints.js';
import { type ApprovalResolver, driveRun, type HerdRunResult } from './drive-run.js';
import { followSignal } from './follow-signal.js';
import { assertHerdDirectoryInside, herdDirectoryProblem, prepareHerdDirectory } from './herd-directory.js';
import { runningMarker } from './running-marker.js';
import { acquireWorkspaceRunLock, type WorkspaceRunLock } from './workspace-run-lock.js';

/** Options for {@link createHerd}. */
export interface CreateHerdOptions {
  /** The repository to work on; default the current directory. */
  workspace?: string;
  /** A loaded configuration; default: `herd.config.json` found from the workspace, plus `HERD_*` variables. */
  config?: LoadedHerdConfig;
  /** Environment for API keys and child processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** `ci` is headless: plans are approved by policy, nothing asks, the guard fails closed. Default `interactive`. */
  mode?: 'interactive' | 'ci';
  /**
   * Answers approval requests (a terminal prompt, an ACP permission request). Without it, questions wait for
   * {@link Herd.approve}; a resolver that returns `undefined` leaves the run waiting for `herd resume`.
   */
  resolveApproval?: ApprovalResolver;
  /** Approve plans without asking (a library caller that reviews plans itself). */
  autoApprovePlan?: boolean;
  /** Tools added to the built-in ones. */
  extraTools?: readonly ToolDefinition[];
  /** Where file tools read and write text after the jail (an editor's buffers); default the disk. */
  fileSystem?: WorkspaceFileSystem;
  /** Where `run_command` runs commands after the command policy (an editor's terminal); default local processes. */
  commandRunner?: CommandRunner;
  /** Overrides `policy` in the configuration: a preset name (`strict`, `balanced`, `off`) or a policy object. */
  guardPolicy?: unknown;
  /**
   * Before a run, make sure the configuration file is the one a person last ran Herd with in this repository
   * (`ensureConfigTrusted`): one that changed or appeared since is put to `ask` (a terminal question, an editor's
   * permission request), or with `refuse` stops the run with `config_unconfirmed`. Default: not checked, as a
   * library caller vouches for its own configuration; every `herd` front door checks.
   */
  configTrust?: 'refuse' | { ask: ConfigTrustQuestion };
  /** Refuse to run unless both Prompt Guard 2 and Llama Guard 4 check it (`herd ci --require-guard`). */
  requireGuard?: boolean;
}

/** Options of one run. */
export interface HerdRunOptions {
  /** Cancels the run (the current model or tool call is aborted; the session can be resumed). */
  signal?: AbortSignal;
  /** Images that come with the task: file paths (relative to the workspace) or http(s) URLs. */
  images?: readonly TaskImage[];
}

/** A run in progress: its events as they happen, and its result. */
export interface HerdRun extends AsyncIterable<HerdEvent> {
  /** The session id (also the LangGraph thread id); `herd resume <id>` continues it. */
  readonly sessionId: string;
  /** Settles when the run ends or waits for approval; rejects only when the run could not start. */
  readonly result: Promise<HerdRunResult>;
}

/** Herd, as a library: plan, act, run, approve, undo, list sessions. */
export interface Herd {
  /**
   * Plans, asks for approval, acts, verifies. A run that may change files (`run`, `act`, `resume`) holds the
   * workspace while it lasts: a second one on the same workspace, in this process or another, fails with
   * `workspace_busy`. Planning alone runs beside it.
   */
  run(task: string, options?: HerdRunOptions): HerdRun;
  /** Packs the repository and proposes a plan; stops there. */
  plan(task: string, options?: HerdRunOptions): HerdRun;
  /** Acts on a saved plan (its latest version; a person's edit becomes a new version that needs approval). */
  act(planId: string, options?: { signal?: AbortSignal }): HerdRun;
  /** Continues a session that was killed or is waiting for approval. */
  resume(sessionId: string, options?: { signal?: AbortSignal }): HerdRun;
  /** Answers a pending approval request of a live run; false when no such request is waiting. */
  approve(requestId: string, decision: ApprovalDecision): boolean;
  /**
   * Restores the files Herd changed since before a step (or before the whole run when `step` is omitted) as they
   * were then; files nobody but a person touched are left as they are. Refused with `workspace_busy` while a run
   * is changing the workspace, and with `UndoConflictError` (`undo_conflict`, naming the files) when a file Herd
   * changed was changed again since, unless `force` is set.
   */
  undo(options: { sessionId: string; step?: string; force?: boolean }): Promise<RestoreResult>;
  /** Sessions of this workspace, most recent first. */
  sessions(): Promise<SessionRecord[]>;
  /** Releases models, databases and the classifier session. */
  close(): Promise<void>;
}

/**
 * Creates Herd for a workspace. Nothing is loaded until the first run, so a bad configuration surfaces as that
 * run's error. Listing sessions and undoing need no model; a run first checks that its models can be reached.
 *
 * @example
 * ```ts
 * const herd = createHerd({ workspace: '.', autoApprovePlan: true });
 * const run = herd.run('make the failing test pass');
 * for await (const event of run) console.log(event.type);
 * const result = await run.result;
 * ```
 */
export function createHerd(options: CreateHerdOptions = {}): Herd {
  const workspace = resolve(options.workspace ?? process.cwd());
  const env = options.env ?? process.env;
  const ci = options.mode === 'ci';
  const waiting = new Map<string, (decision: ApprovalDecision) => void>();
  const remembered = new Set<string>();
  const memory: ApprovalMemory = {
    has: (key) => remembered.has(key),
    add: (key) => void remembered.add(key),
  };
  let resources: Promise<Awaited<ReturnType<typeof open>>> | undefined;
  let models: Promise<Awaited<ReturnType<typeof openModels>>> | undefined;
  // A configuration once confirmed stays confirmed for this Herd; a refusal is asked again at the next run.
  let trusted: Promise<unknown> | undefined;
  // The guard is shared by the runs of this Herd; each Llama Guard call is metered by the run that made it.
  const guardModelCalls = createGuardModelCalls();

  /** What every use needs, none of it a model: the configuration, the tools, sessions and plans. */
  async function open() {
    assertHerdDirectoryInside(workspace);
    const loaded = options.config ?? (await loadWorkspaceConfig({ cwd: workspace, env }));
    const source = loaded.file ?? 'environment';
    const settings = parseRunSettings(loaded.config.run, source);
    const tools = await createWorkspaceTools({
      workspace,
      config: loaded.config.tools,
      configSource: source,
      environment: env,
      ...(options.extraTools ? { extraTools: options.extraTools } : {}),
      ...(options.fileSystem ? { fileSystem: options.fileSystem } : {}),
      ...(options.commandRunner ? { commandRunner: options.commandRunner } : {}),
    });
    // The workspace exists (the jail checked it): .herd gets its .gitignore before the guard's cache or audit log,
    // or the session database, writes there.
    prepareHerdDirectory(workspace);
    // Every output (events, plans, sessions, results, errors) loses the values of the key variables this
    // configuration reads, whatever their names, besides everything the product's redactor knows. Opening needs no
    // model (`herd sessions` works without one), so a configuration without an endpoint adds no names.
    const redactor = createSecretsRedactor({ env, extraNames: configuredKeyVariables(loaded, env) });
    const sessions = await createSessionStore({ workspace, database: settings.sessionDatabase, redactor });
    return { loaded, settings, tools, redactor, sessions, plans: createPlanStore({ workspace, redactor }) };
  }

  /** The opened resources, shared by every use; an open that failed is tried again (the configuration was fixed). */
  function opening(): Promise<Awaited<ReturnType<typeof open>>> {
    resources ??= open().catch((error: unknown) => {
      resources = undefined;
      throw error;
    });
    return resources;
  }

  /** What a run needs besides: the roles resolved, the guard and the chat models. */
  async function openModels(opened: Awaited<ReturnType<typeof open>>, roles: ResolvedHerdRoles) {
    const configuredGuard = await createGuardFromConfig({
      config: opened.loaded.config,
      baseDirectory: opened.loaded.baseDirectory,
      mode: ci ? 'ci' : 'act',
      env,
      onModelCall: guardModelCalls.onModelCall,
      ...(options.requireGuard ? { requireClassifiers: ['prompt_guard', 'llama_guard'] as const } : {}),
      ...(options.guardPolicy !== undefined ? { policy: options.guardPolicy } : {}),
    });
    // Prompts lose the values of the key variables this configuration reads (what the guard finds by shape is for
    // its policy to judge).
    const keys = createSecretRedactor({
      env,
      extraNames: keyVariables(roles),
      detector: emptySecretDetector,
    });
    return {
      roles,
      configuredGuard,
      plannerModels: createChatModelChain({ role: roles.planner, env, redactor: keys }),
      actorModels: createChatModelChain({ role: roles.actor, env, redactor: keys }),
    };
  }

  /** The roles of the configuration; throws the configure-a-model message when there is no endpoint. */
  function resolveRoles(opened: Awaited<ReturnType<typeof open>>): ResolvedHerdRoles {
    return resolveHerdRoles({
      config: opened.loaded.config,
      baseDirectory: opened.loaded.baseDirectory,
      env,
    });
  }

  function confirmConfig(loaded: LoadedHerdConfig): Promise<unknown> {
    const trust = options.configTrust;
    if (!trust) return Promise.resolve();
    trusted ??= ensureConfigTrusted({
      loaded,
      workspace,
      env,
      ask: trust === 'refuse' ? undefined : trust.ask,
    }).catch((error: unknown) => {
      trusted = undefined;
      throw error;
    });
    return trusted;
  }

  const resolveApproval: ApprovalResolver =
    options.resolveApproval ??
    ((request: ApprovalRequest) =>
      new Promise<ApprovalDecision | undefined>((resolvePromise) => {
        waiting.set(request.requestId, (decision) => {
          waiting.delete(request.requestId);
          resolvePromise(decision);
        });
      }));

  function start(input: {
    sessionId?: string;
    mode: RunMode;
    task: () => Promise<string>;
    initial: () => Promise<Partial<RunStateValue> | null>;
    signal: AbortSignal | undefined;
    images?: readonly TaskImage[] | undefined;
  }): HerdRun {
    const sessionId = input.sessionId ?? randomUUID();
    const startedAt = Date.now();
    const eventLog = join(workspace, '.herd', 'sessions', sessionId, 'events.ndjson');
    let logReady = false;
    // A run refused because another holds the workspace leaves no trace in the session it named (its live run's).
    let refused = false;
    let meter: ReturnType<typeof createUsageMeter> | undefined;
    // Secrets come from the run's environment; once the configuration is loaded, its key variables are added.
    let redactor: SecretRedactor = createSecretsRedactor({ env });
    const channel = createEventChannel({
      runId: sessionId,
      redactor: () => redactor,
      onEvent: (event: HerdEvent) => {
        meter?.observe(event);
        // A workspace that does not exist gets no log: the run's first event is the error saying so.
        if (!logReady && !refused && existsSync(workspace) && herdDirectoryProblem(workspace) === undefined) {
          prepareHerdDirectory(workspace);
          mkdirSync(dirname(eventLog), { recursive: true });
          logReady = true;
          // Tells `herd sessions` that this run is alive; a run killed with SIGKILL leaves the file behind.
          writeFileSync(runningMarker(workspace, sessionId), String(process.pid));
        }
        if (logReady) appendFileSync(eventLog, `${JSON.stringify(event)}\n`);
      },
    });

    let lock: WorkspaceRunLock | undefined;
    // Always a signal of the run's own: without one, LangGraph makes its own per call and warns the same way.
    const signal = followSignal(input.signal);
    const emitGuardCall = (event: HerdEventInput) => void channel.emit(event);
    const result = guardModelCalls.within(emitGuardCall, async (): Promise<HerdRunResult> => {
      try {
        const opened = await opening();
        await confirmConfig(opened.loaded);
        // Planning only reads the workspace; anything that may act holds it until the run ends.
        if (input.mode !== 'plan') lock = acquireWorkspaceRunLock({ workspace, sessionId, purpose: 'run' });
        const roles = resolveRoles(opened);
        redactor = opened.redactor;
        meter = createUsageMeter({ settings: opened.settings, startedAt });
        // A key pasted into the task is taken out before the task is stored, shown or sent to a model.
        const task = redactor.redact(await input.task());
        const images = input.images ?? [];
        if (images.length > 0) {
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
        // Before the repository is packed or a classifier loaded: a model nobody can reach fails the run now.
        await assertModelEndpointsReachable({ roles: [roles.planner, roles.actor], signal });
        models ??= openModels(opened, roles).catch((error: unknown) => {
          models = undefined;
          throw error;
        });
        const { plannerModels, actorModels, configuredGuard } = await models;
        if (!input.sessionId || !(await opened.sessions.get(sessionId))) {
          await opened.sessions.record({ id: sessionId, task });
        } else {
          await opened.sessions.update({ id: sessionId, status: 'running' });
        }
        channel.emit({
          type: 'run-start',
          task,
          mode: input.mode,
          workspace,
          guard: { classifiers: configuredGuard.classifiers },
        });
        const context: RunContext = {
          sessionId,
          workspace,
          roles,
          plannerModels,
          actorModels,
          tools: opened.tools,
          plans: opened.plans,
          settings: opened.settings,
          meter,
          interactive: !ci,
          autoApprovePlan: ci || options.autoApprovePlan === true,
          memory,
          emit: (event) => void channel.emit(event),
          announcedSteps: new Set(),
          recordStep: async (stepId) => {
            await opened.sessions.update({ id: sessionId, lastCompletedStep: stepId });
          },
          guard: createRunGuard({
            guard: configuredGuard.guard,
            mode: ci ? 'ci' : input.mode === 'plan' ? 'plan' : 'act',
            interactive: !ci,
            memory,
            emit: (event) => void channel.emit(event),
          }),
          signal,
        };
        const graph = buildRunGraph({ context, checkpointer: opened.sessions.checkpointer });
        const initial = await input.initial();
        const summary = await driveRun({
          graph,
          context,
          sessions: opened.sessions,
          input: initial && { ...initial, ...(initial.task !== undefined ? { task } : {}) },
          resolveApproval,
          events: () => channel.history,
        });
        const runCheckpoint = (await graph.getState(opened.sessions.threadConfig(sessionId))).values
          .runCheckpoint as string | undefined;
        const changes =
          runCheckpoint && opened.tools.checkpoints
            ? await opened.tools.checkpoints.changes({ since: runCheckpoint })
            : [];
        channel.emit({
          type: 'run-finish',
          status: summary.status,
          ...(input.mode === 'plan' ? {} : { verification: verificationOf(summary.verification) }),
          usage: meter.usage(),
          durationMs: Date.now() - startedAt,
        });
        // The patch is the change itself, returned as made; everything else a caller gets is redacted.
        return {
          ...redactor.redactValue(summary),
          patch: changes.map((change) => change.diff).join(''),
          events: channel.history,
        };
      } catch (error) {
        // A provider's error may quote the key it was sent (a 401 that echoes it): the error is redacted in place
        // before anything reports it, here or wherever the rejection is caught.
        redactError(error, redactor);
        const herdError = HerdError.find(error);
        if (herdError?.code === 'workspace_busy' && !logReady) refused = true;
        channel.emit({
          type: 'error',
          code: herdError?.code ?? 'internal_error',
          blame: herdError?.blame ?? 'system',
          message: (herdError ?? (error instanceof Error ? error : new Error(String(error)))).message,
          ...(herdError?.hint ? { hint: herdError.hint } : {}),
          fatal: true,
        });
        channel.emit({
          type: 'run-finish',
          status: 'failed',
          usage: meter?.usage() ?? {},
          durationMs: Date.now() - startedAt,
        });
        throw error;
      } finally {
        lock?.release();
        signal.stop();
        channel.close();
        // Only a run that wrote its marker removes it (a workspace that is a file would fail here and hide the error).
        if (logReady) rmSync(runningMarker(workspace, sessionId), { force: true });
      }
    });
    // The caller may only iterate events; the rejection is still delivered through `result`.
    result.catch(() => {});
    return { sessionId, result, [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator]() };
  }

  const herd: Herd = {
    run: (task, runOptions) =>
      start({
        mode: ci ? 'ci' : 'run',
        task: async () => task,
        initial: async () => ({ task, mode: ci ? 'ci' : 'run', images: [...(runOptions?.images ?? [])] }),
        signal: runOptions?.signal,
        images: runOptions?.images,
      }),
    plan: (task, runOptions) =>
      start({
        mode: 'plan',
        task: async () => task,
        initial: async () => ({ task, mode: 'plan', images: [...(runOptions?.images ?? [])] }),
        signal: runOptions?.signal,
        images: runOptions?.images,
      }),
    act(planId, runOptions) {
      const latest = (async () => {
        return (await opening()).plans.latest(planId);
      })();
      return start({
        mode: ci ? 'ci' : 'act',
        task: async () => (await latest).task,
        initial: async () => {
          const version = await latest;
          return {
            task: version.task,
            mode: ci ? 'ci' : 'act',
            plan: version.plan,
            planId: version.planId,
            planVersion: version.version,
            approved: version.approvedAt !== undefined,
            ...(version.approvedAt ? { approvedBy: version.approvedBy ?? 'user' } : {}),
          };
        },
        signal: runOptions?.signal,
      });
    },
    resume(sessionId, runOptions) {
      if (!/^[\w-]{1,128}$/.test(sessionId)) {
        return failedRun(
          new UserError({
            code: 'session_id_invalid',
            message: `'${sessionId.slice(0, 80)}' is not a session id; \`herd sessions\` lists them.`,
          }),
        );
      }
      const record = (async () => {
        const found = await (await opening()).sessions.get(sessionId);
        if (!found) {
          throw new UserError({
            code: 'session_not_found',
            message: `There is no session '${sessionId}' in this workspace; \`herd sessions\` lists them.`,
          });
        }
        return found;
      })();
      return start({
        sessionId,
        mode: ci ? 'ci' : 'run',
        task: async () => (await record).task,
        initial: async () => null,
        signal: runOptions?.signal,
      });
    },
    approve(requestId, decision) {
      const answer = waiting.get(requestId);
      answer?.(decision);
      return answer !== undefined;
    },
    async undo({ sessionId, step, force = false }) {
      const opened = await opening();
      const tuple = await opened.sessions.checkpointer.getTuple(opened.sessions.threadConfig(sessionId));
      const values = (tuple?.checkpoint.channel_values ?? {}) as Partial<RunStateValue>;
      const checkpointId = step ? values.stepCheckpoints?.[step] : values.runCheckpoint;
      if (!checkpointId || !opened.tools.checkpoints) {
        throw new UserError({
          code: 'undo_unavailable',
          message: step
            ? `Session '${sessionId}' has no checkpoint before step '${step}'; \`herd sessions\` shows its steps.`
            : `Session '${sessionId}' changed nothing yet, so there is nothing to undo.`,
        });
      }
      const lock = acquireWorkspaceRunLock({ workspace, sessionId, purpose: 'undo' });
      try {
        return await opened.tools.checkpoints.restore(checkpointId, { scope: 'herd-changes', force });
      } finally {
        lock.release();
      }
    },
    async sessions() {
      return (await opening()).sessions.list();
    },
    async close() {
      const opened = await resources?.catch(() => undefined);
      const modelled = await models?.catch(() => undefined);
      await opened?.sessions.close();
      await modelled?.configuredGuard.close();
    },
  };
  return herd;
}

/** How a run's change was verified, as `run-finish` says it. */
function verificationOf(outcome: VerificationOutcome | undefined): 'passed' | 'failed' | 'not_run' {
  if (!outcome || outcome.skipped) return 'not_run';
  return outcome.passed ? 'passed' : 'failed';
}

/** Every environment variable a configured role reads its API key from, so their values are redacted too. */
/** The key variables of a configuration's roles, or none when it names no usable endpoint yet. */
function configuredKeyVariables(loaded: LoadedHerdConfig, env: NodeJS.ProcessEnv): string[] {
  try {
    return keyVariables(
      resolveHerdRoles({ config: loaded.config, baseDirectory: loaded.baseDirectory, env }),
    );
  } catch {
    return [];
  }
}

function keyVariables(roles: ResolvedHerdRoles): string[] {
  const endpoints = [roles.planner, roles.actor, ...(roles.guard.llamaGuard ? [roles.guard.llamaGuard] : [])];
  return [
    ...new Set(
      endpoints.flatMap((role) => [role.apiKeyEnv, ...role.fallbacks.map((fallback) => fallback.apiKeyEnv)]),
    ),
  ];
}

/** A run that failed before it could start: no events, and a rejected result. */
function failedRun(error: Error): HerdRun {
  const result = Promise.reject(error);
  result.catch(() => {});
  return { sessionId: 'none', result, async *[Symbol.asyncIterator]() {} };
}
