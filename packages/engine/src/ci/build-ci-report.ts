import type { GuardClassifierCoverage, HerdEvent, HerdEventOf, Plan } from '@herd/core';
import type { HerdRunResult } from '../herd/drive-run.js';
import { herdVersion } from '../herd-version.js';
import {
  type CiCommit,
  type CiRefusedCommand,
  type CiReport,
  type CiStepReport,
  ciReportSchemaVersion,
} from './ci-report.js';
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
    refusedCommands: refusedCommands(events),
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
    const fix = fixOf(step.id, events);
    return {
      id: step.id,
      title: step.title,
      status: finished?.status ?? (attempts > 0 ? 'interrupted' : 'not_run'),
      attempts,
      ...(finished?.summary ? { summary: finished.summary } : {}),
      ...(fix ? { fix } : {}),
    };
  });
}

/** For a fix attempt `fix-N`: N and one line of the failed verification that came before it. */
function fixOf(stepId: string, events: readonly HerdEvent[]): CiStepReport['fix'] {
  const attempt = /^fix-(\d+)$/.exec(stepId)?.[1];
  if (!attempt) return undefined;
  const start = events.findIndex((event) => event.type === 'step-start' && event.stepId === stepId);
  const before = ofType(start >= 0 ? events.slice(0, start) : events, 'verification-finish')
    .filter((event) => !event.passed)
    .at(-1);
  return { attempt: Number(attempt), failure: before ? failureLine(before.output) : 'verification failed' };
}

/**
 * The first line of failing output worth reading: the failed command, then the first line it wrote to stderr (else
 * stdout), past run_command's own `exit code` line and section markers.
 */
function failureLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const header = lines.findIndex((line) => /^\$ .*\(FAILED\)$/.test(line));
  const command = header >= 0 ? lines[header]!.replace(/^\$ /, '').replace(/\s+\(FAILED\)$/, '') : undefined;
  const body = lines.slice(header + 1);
  const firstIn = (section: string) => {
    const start = body.findIndex((line) => line.startsWith(`--- ${section}`));
    return start < 0
      ? undefined
      : body
          .slice(start + 1)
          .find((line) => line.length > 0 && !line.startsWith('--- ') && !line.startsWith('$ '));
  };
  const detail =
    firstIn('stderr') ??
    firstIn('stdout') ??
    body.find((line) => line.length > 0 && !line.startsWith('$ ') && !line.startsWith('--- '));
  const text = [command, detail].filter(Boolean).join(': ') || 'verification failed';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Every command a tool call asked for that was refused, with the step that asked. */
function refusedCommands(events: readonly HerdEvent[]): CiRefusedCommand[] {
  const calls = new Map<string, { argv: string[]; stepId: string }>();
  const refused: CiRefusedCommand[] = [];
  let stepId = 'plan';
  for (const event of events) {
    if (event.type === 'step-start') stepId = event.stepId;
    if (event.type === 'tool-call' && Array.isArray(event.arguments.argv)) {
      const owner = event.callId.startsWith('verify-') ? 'verify' : stepId;
      calls.set(event.callId, { argv: event.arguments.argv.map(String), stepId: owner });
    }
    if (event.type !== 'tool-result' || event.ok) continue;
    if (event.errorCode !== 'approval_required' && event.errorCode !== 'refused') continue;
    const call = calls.get(event.callId);
    if (!call) continue;
    refused.push({ ...call, code: event.errorCode, reason: event.content.slice(0, 500) });
  }
  return refused;
}
