import { resolve } from 'node:path';
import {
  type ConfigTrust,
  type ConfigTrustQuestion,
  ensureConfigTrusted,
  type LoadedHerdConfig,
  UserError,
} from '@herd/core';
import type { CommandRunner, ToolDefinition, WorkspaceFileSystem } from '@herd/tools';
import type { ApprovalDecision, ApprovalMemory, ApprovalRequest } from '../approvals/approval-request.js';
import { createGuardModelCalls } from '../run/guard-model-calls.js';
import { loadConfigSectionJudges } from '../settings/config-section-judges.js';
import type { ApprovalResolver } from './drive-run.js';
import { failedRun, type Herd } from './herd.js';
import { type HerdResources, openHerdResources } from './open-herd-resources.js';
import { openRunModels, type RunModels } from './open-run-models.js';
import { type HerdRunHost, startHerdRun } from './start-herd-run.js';
import { undoSession } from './undo-session.js';

export type { Herd, HerdRun, HerdRunOptions } from './herd.js';

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
   * Before a run, make sure a person stands behind the configuration file (`ensureConfigTrusted`): one that changed
   * or appeared since a person last ran Herd in this repository, or that weakens Herd (sandbox, command policy,
   * guard, where keys go) with no person having accepted it, is put to `ask` (a terminal question, an editor's
   * permission request), or with `refuse` stops the run with `config_unconfirmed`. `vouchedBy` uses it as it is,
   * naming who accepted it (`--trust-workspace-config`) in a warning when it weakens Herd. Default: not checked, as
   * a library caller vouches for its own configuration; every `herd` front door checks.
   */
  configTrust?: 'refuse' | { ask: ConfigTrustQuestion } | { vouchedBy: string };
  /** Refuse to run unless both Prompt Guard 2 and Llama Guard 4 check it (`herd ci --require-guard`). */
  requireGuard?: boolean;
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
  let resources: Promise<HerdResources> | undefined;
  let models: Promise<RunModels> | undefined;
  // A configuration once confirmed stays confirmed for this Herd; a refusal is asked again at the next run.
  let trusted: Promise<ConfigTrust | undefined> | undefined;
  // The guard is shared by the runs of this Herd; each Llama Guard call is metered by the run that made it.
  const guardModelCalls = createGuardModelCalls();

  /** The opened resources, shared by every use; an open that failed is tried again (the configuration was fixed). */
  function opening(): Promise<HerdResources> {
    resources ??= openHerdResources({
      workspace,
      env,
      config: options.config,
      extraTools: options.extraTools,
      fileSystem: options.fileSystem,
      commandRunner: options.commandRunner,
    }).catch((error: unknown) => {
      resources = undefined;
      throw error;
    });
    return resources;
  }

  function confirmConfig(loaded: LoadedHerdConfig): Promise<ConfigTrust | undefined> {
    const trust = options.configTrust;
    if (!trust) return Promise.resolve(undefined);
    trusted ??= loadConfigSectionJudges()
      .then((judges) =>
        ensureConfigTrusted({
          loaded,
          workspace,
          env,
          judges,
          ...(trust === 'refuse' ? {} : 'ask' in trust ? { ask: trust.ask } : { vouchedBy: trust.vouchedBy }),
        }),
      )
      .catch((error: unknown) => {
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

  const host: HerdRunHost = {
    workspace,
    env,
    ci,
    autoApprovePlan: options.autoApprovePlan === true,
    vouchedBy:
      typeof options.configTrust === 'object' && 'vouchedBy' in options.configTrust
        ? options.configTrust.vouchedBy
        : undefined,
    memory,
    resolveApproval,
    guardModelCalls,
    opening,
    confirmConfig,
    models(opened, roles) {
      models ??= openRunModels(opened, roles, {
        env,
        ci,
        guardModelCalls,
        requireGuard: options.requireGuard,
        guardPolicy: options.guardPolicy,
      }).catch((error: unknown) => {
        models = undefined;
        throw error;
      });
      return models;
    },
  };

  const herd: Herd = {
    run: (task, runOptions) =>
      startHerdRun(host, {
        mode: ci ? 'ci' : 'run',
        task: async () => task,
        initial: async () => ({ task, mode: ci ? 'ci' : 'run', images: [...(runOptions?.images ?? [])] }),
        signal: runOptions?.signal,
        images: runOptions?.images,
      }),
    plan: (task, runOptions) =>
      startHerdRun(host, {
        mode: 'plan',
        task: async () => task,
        initial: async () => ({ task, mode: 'plan', images: [...(runOptions?.images ?? [])] }),
        signal: runOptions?.signal,
        images: runOptions?.images,
      }),
    act(planId, runOptions) {
      const latest = (async () => (await opening()).plans.latest(planId))();
      return startHerdRun(host, {
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
      return startHerdRun(host, {
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
      return undoSession(await opening(), { workspace, sessionId, step, force });
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
