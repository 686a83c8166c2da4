import type { GuardClassifierCoverage, HerdEvent, HerdEventOf, Plan } from '@herd/core';
import type { HerdRunResult } from '../herd/drive-run.js';
import { herdVersion } from '../herd-version.js';
import { type CiCommit, type CiReport, type CiStepReport, ciReportSchemaVersion } from './ci-report.js';
import { parsePatchFiles } from './parse-patch-files.js';

/** Options for {@link buildCiReport}. */
export interface BuildCiReportOptions {
  task: string;
  /** Absolute path of the repository. */
  workspace: string;
  /** The session id of the run. */
  sessionId: string;
  /** The run's result; undefined when the run could not start (its error is among the events). */
  result: HerdRunResult | undefined;
  /** Every event of the run. */
  events: readonly HerdEvent[];
  exitCode: number;
  startedAt: Date;
  finishedAt: Date;
  outputs: CiReport['outputs'];
  commit: CiCommit | null;
}

const ofType = <TType extends HerdEvent['type']>(events: readonly HerdEvent[], type: TType) =>
  events.filter((event): event is HerdEventOf<TType> => event.type === type);

/** Builds the JSON report of a `herd ci` run from its result and its event stream. */
export function buildCiReport(options: BuildCiReportOptions): CiReport {
  const { events, result } = options;
  const finish = ofType(events, 'run-finish').at(-1);
  const proposed = ofType(events, 'plan-propose').at(-1);
  const plan = result?.plan ?? proposed?.plan;
  const fatal = ofType(events, 'error')
    .filter((event) => event.fatal)
    .at(-1);
  const modelCalls = ofType(events, 'model-call').filter((event) => event.outcome !== 'fallback');
  const byRole = finish?.usage ?? {};
  return {
    schemaVersion: ciReportSchemaVersion,
    herdVersion,
    sessionId: options.sessionId,
    task: options.task,
    workspace: options.workspace,
    status: result?.status ?? finish?.status ?? 'failed',
    exitCode: options.exitCode,
    reason: result?.reason ?? fatal?.message ?? null,
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    durationMs: options.finishedAt.getTime() - options.startedAt.getTime(),
    planId: result?.planId ?? proposed?.planId ?? null,
    plan: plan ?? null,
    steps: plan ? stepReports(plan, events) : [],
    verification:
      result?.verification && !result.verification.skipped
        ? { passed: result.verification.passed, report: result.verification.report }
        : null,
    guard: { classifiers: guardCoverage(events) },
    guardVerdicts: ofType(events, 'guard-verdict').map(({ type, runId, time, ...verdict }) => verdict),
    deviations: ofType(events, 'plan-deviation').map(({ type, runId, time, ...deviation }) => deviation),
    changedFiles: parsePatchFiles(result?.patch ?? ''),
    usage: {
      byRole,
      modelCalls: modelCalls.length,
      totalTokens: Object.values(byRole).reduce((sum, usage) => sum + (usage?.totalTokens ?? 0), 0),
    },
    error: fatal
      ? {
          code: fatal.code,
          blame: fatal.blame,
          message: fatal.message,
          ...(fatal.hint ? { hint: fatal.hint } : {}),
        }
      : null,
    outputs: options.outputs,
    commit: options.commit,
  };
}

/**
 * What each classifier covered: as the run started, except that a classifier whose checks failed during the run
 * (a verdict that is the policy's `onError`, or the error that ended the run) is `failed`, with the failure.
 */
function guardCoverage(events: readonly HerdEvent[]): GuardClassifierCoverage[] {
  const started = ofType(events, 'run-start').at(-1)?.guard?.classifiers ?? [];
  const fatal = ofType(events, 'error').find((event) => event.fatal);
  return started.map((classifier) => {
    if (classifier.state !== 'on') return classifier;
    const failedCheck = ofType(events, 'guard-verdict').find(
      (verdict) =>
        verdict.scanner === classifier.name &&
        verdict.categories.some((category) => category.startsWith('error:')),
    );
    if (failedCheck)
      return {
        ...classifier,
        state: 'failed',
        reason: failedCheck.reason ?? `${classifier.name} failed a check`,
      };
    const prefix = classifier.name === 'llama_guard' ? 'llama_guard_' : 'prompt_guard_';
    const endedRun =
      fatal &&
      (fatal.code.startsWith(prefix) ||
        (fatal.code === 'guard_classifier_failed' && fatal.message.includes(classifier.name)));
    if (endedRun) return { ...classifier, state: 'failed', reason: fatal.message };
    return classifier;
  });
}

/** Each step with how it ended, from its last `step-finish` event. */
function stepReports(plan: Plan, events: readonly HerdEvent[]): CiStepReport[] {
  const starts = ofType(events, 'step-start');
  const finishes = ofType(events, 'step-finish');
  // Fix attempts (`fix-1`, ...) are steps the run added after the plan's; they are reported after them.
  const planned = new Set(plan.steps.map((step) => step.id));
  const added = new Map(
    starts.filter((event) => !planned.has(event.stepId)).map((event) => [event.stepId, event.title]),
  );
  const steps = [
    ...plan.steps.map((step) => ({ id: step.id, title: step.title })),
    ...[...added].map(([id, title]) => ({ id, title })),
  ];
  return steps.map((step) => {
    const finished = finishes.filter((event) => event.stepId === step.id).at(-1);
    const attempts = starts.filter((event) => event.stepId === step.id).length;
    return {
      id: step.id,
      title: step.title,
      status: finished?.status ?? (attempts > 0 ? 'interrupted' : 'not_run'),
      attempts,
      ...(finished?.summary ? { summary: finished.summary } : {}),
    };
  });
}
