import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HerdError, type HerdEvent, type LoadedHerdConfig, redactError, UserError } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import type { ToolDefinition } from '@herd/tools';
import { exitCodeFor } from '../cli/report-cli-error.js';
import { exitCodeForResult } from '../cli/runs/run-from-cli.js';
import { type CreateHerdOptions, createHerd } from '../herd/create-herd.js';
import type { HerdRunResult } from '../herd/drive-run.js';
import { buildCiReport } from './build-ci-report.js';
import { ciCommitMessage } from './ci-commit-message.js';
import { type CiCommit, type CiReport, CiReportSchema } from './ci-report.js';
import { checkCiBranch, commitCiChanges } from './commit-ci-changes.js';
import { renderCiSummary } from './render-ci-summary.js';

/** Where `herd ci` writes its outputs, relative to the workspace, unless told otherwise. */
export const defaultCiOutputDirectory = join('.herd', 'ci');

/** Options for {@link runCi}. */
export interface RunCiOptions {
  /** What to do, in plain words (see `resolveCiTask` for the command line's sources). */
  task: string;
  /** The repository; default the current directory. */
  workspace?: string;
  /** Where the outputs go; default `.herd/ci` inside the workspace (which git ignores). */
  outputDirectory?: string;
  /** The unified diff; default `patch.diff` in the output directory. */
  patchFile?: string;
  /** The Markdown summary; default `summary.md` in the output directory. */
  summaryFile?: string;
  /** The JSON report; default `report.json` in the output directory. */
  reportFile?: string;
  /** Commit a successful change on a new branch (the current branch is left alone). */
  commit?: boolean;
  /** The new branch for `commit`; default `herd/ci-<random>`. */
  branch?: string;
  /** A loaded configuration; default `herd.config.json` from the workspace plus `HERD_*` variables. */
  config?: LoadedHerdConfig;
  /** Environment for API keys, git and child processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Tools added to the built-in ones. */
  extraTools?: readonly ToolDefinition[];
  /** Overrides `policy` in the configuration. */
  guardPolicy?: unknown;
  /** See {@link CreateHerdOptions.configTrust}; `herd ci` refuses a configuration that changed since a person ran it. */
  configTrust?: CreateHerdOptions['configTrust'];
  /** Refuse to run (exit 3) unless both Prompt Guard 2 and Llama Guard 4 check the run. */
  requireGuard?: boolean;
  /** Called with every event as it happens (a log, NDJSON). */
  onEvent?: (event: HerdEvent) => void;
  signal?: AbortSignal;
}

/** What a CI run produced. */
export interface CiRunOutcome {
  /** The process exit code (also in the report). */
  exitCode: number;
  report: CiReport;
  patch: string;
  summary: string;
}

/**
 * Runs Herd headless for a pipeline: the plan is approved by policy, the guard fails closed, anything that would
 * ask is blocked. Writes the patch, a Markdown summary for a pull-request body and the JSON report, optionally
 * commits the change on a new branch, and returns the exit code (0 succeeded, 1 verification failed,
 * 2 blocked, 3 configuration or provider error, 4 limits exceeded). The summary and the report (which a CI bot may
 * post on a pull request) are redacted before they are written or returned; the patch is the change as made.
 *
 * @throws UserError before anything runs when the workspace is not a directory or `commit` cannot work there.
 * @example
 * ```ts
 * const { exitCode, report } = await runCi({ task: 'make the failing test pass', workspace: '.' });
 * console.log(report.status, report.outputs.patch);
 * process.exitCode = exitCode;
 * ```
 */
export async function runCi(options: RunCiOptions): Promise<CiRunOutcome> {
  const workspace = resolve(options.workspace ?? process.cwd());
  const env = options.env ?? process.env;
  if (!statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError({
      code: 'workspace_missing',
      message: `The workspace ${workspace} is not a directory; pass an existing repository with --workspace.`,
    });
  }
  const branch = options.branch ?? `herd/ci-${randomUUID().slice(0, 8)}`;
  if (options.commit) await checkCiBranch({ workspace, branch, env });
  const outputDirectory = resolve(workspace, options.outputDirectory ?? defaultCiOutputDirectory);
  const outputs = {
    patch: resolve(outputDirectory, options.patchFile ?? 'patch.diff'),
    summary: resolve(outputDirectory, options.summaryFile ?? 'summary.md'),
    report: resolve(outputDirectory, options.reportFile ?? 'report.json'),
  };

  // The run redacts what it produces; what this function adds (the task as given, commit errors) is redacted here.
  const redactor = createSecretsRedactor({ env });
  const startedAt = new Date();
  const herd = createHerd({
    workspace,
    env,
    mode: 'ci',
    // Nothing asks in ci mode; should a question slip through, nobody can answer it, so it is refused, not left waiting.
    resolveApproval: async () => 'reject',
    ...(options.config ? { config: options.config } : {}),
    ...(options.extraTools ? { extraTools: options.extraTools } : {}),
    ...(options.guardPolicy !== undefined ? { guardPolicy: options.guardPolicy } : {}),
    ...(options.configTrust ? { configTrust: options.configTrust } : {}),
    ...(options.requireGuard ? { requireGuard: true } : {}),
  });
  const events: HerdEvent[] = [];
  let result: HerdRunResult | Error;
  let sessionId: string;
  try {
    const run = herd.run(options.task, options.signal ? { signal: options.signal } : {});
    sessionId = run.sessionId;
    for await (const event of run) {
      events.push(event);
      options.onEvent?.(event);
    }
    result = await run.result.catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
  } finally {
    await herd.close();
  }
  const runResult = result instanceof Error ? undefined : result;
  let exitCode = runResult ? exitCodeForResult(runResult) : exitCodeFor(result);
  const patch = runResult?.patch ?? '';

  const started = events.find((event) => event.type === 'run-start');
  const draft = buildCiReport({
    task: started?.type === 'run-start' ? started.task : redactor.redact(options.task),
    workspace,
    sessionId,
    result: runResult,
    events,
    exitCode,
    startedAt,
    finishedAt: new Date(),
    outputs,
    commit: null,
  });
  let commit: CiCommit | null = null;
  let commitFailure: Pick<CiReport, 'reason' | 'error' | 'exitCode'> | undefined;
  if (options.commit && runResult?.status === 'succeeded' && patch.trim()) {
    try {
      commit = await commitCiChanges({ workspace, branch, patch, message: ciCommitMessage(draft), env });
    } catch (error) {
      // The verified patch and the report are still written, so the pipeline can apply the change another way.
      if (!HerdError.isInstance(error)) throw error;
      redactError(error, redactor);
      exitCode = exitCodeFor(error);
      commitFailure = {
        exitCode,
        reason: `the change was verified but not committed: ${error.message}`,
        error: {
          code: error.code,
          blame: error.blame,
          message: error.message,
          ...(error.hint ? { hint: error.hint } : {}),
        },
      };
    }
  }
  const report = CiReportSchema.parse(redactor.redactValue({ ...draft, ...commitFailure, commit }));
  const summary = renderCiSummary(report);
  for (const file of Object.values(outputs)) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(outputs.patch, patch);
  writeFileSync(outputs.summary, summary);
  writeFileSync(outputs.report, `${JSON.stringify(report, null, 2)}\n`);
  return { exitCode, report, patch, summary };
}
