import type { HerdEvent, HerdEventOf } from '@herd/core';
import { renderPlanMarkdown } from '../../planner/render-plan-markdown.js';
import { colorizeDiff } from './colorize-diff.js';
import { colorizePlan } from './colorize-plan.js';
import { summarizePackingVerdicts } from './summarize-packing-verdicts.js';
import { plainColors, type TerminalColors } from './terminal-colors.js';

type GuardVerdictEvent = Extract<HerdEvent, { type: 'guard-verdict' }>;

/** Turns a run's events into lines for a person in a terminal. */
export interface EventRenderer {
  /** The lines for one event; `undefined` when it shows nothing (now). */
  render(event: HerdEvent): string | undefined;
  /** What is still held back when the stream ends (a summary of the last packing's guard verdicts). */
  finish(): string | undefined;
}

/**
 * Renders run events for a terminal, with colour when `colors` has it. The front door adds nothing of its own:
 * everything a person sees comes from the event stream. The guard's verdicts on repository files while packing
 * (one or two per flagged file, dozens in a repository with security code) are held back and shown as one summary
 * line that points at `herd guard log`; the NDJSON stream (`--json`) and the CI report keep every verdict.
 */
export function createEventRenderer(options: { colors?: TerminalColors } = {}): EventRenderer {
  const colors = options.colors ?? plainColors;
  let held: GuardVerdictEvent[] = [];
  const reported = new Set<string>();
  // A run that ended before it started (no model configured, a configuration refused) has its error to say; a
  // "failed in 0.1 s" line after it would only repeat that it failed.
  let started = false;
  const flush = (): string | undefined => {
    const fresh = held.filter((verdict) => !reported.has(verdict.source ?? ''));
    held = [];
    for (const verdict of fresh) reported.add(verdict.source ?? '');
    const summary = summarizePackingVerdicts(fresh);
    return summary === undefined ? undefined : colors.yellow(summary);
  };
  return {
    render(event) {
      if (event.type === 'run-start') started = true;
      if (event.type === 'run-finish' && !started) return flush();
      if (event.type === 'guard-verdict' && event.point === 'repo_content' && event.source !== undefined) {
        held.push(event);
        return undefined;
      }
      // The packing's own line comes first; its verdicts are summed up when the run moves on.
      const summary = event.type === 'context-pack' ? undefined : flush();
      const text = renderEvent(event, colors);
      return summary === undefined ? text : text === undefined ? summary : `${summary}\n${text}`;
    },
    finish: flush,
  };
}

/**
 * Renders one run event as lines for a person in a terminal; `undefined` for events that show nothing. Stateless:
 * {@link createEventRenderer} is what the CLI uses, to sum up the verdicts of a packing.
 */
export function renderEvent(event: HerdEvent, colors: TerminalColors = plainColors): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `${colors.bold(`herd ${event.mode}: ${event.task}`)}\n  ${colors.dim(`workspace ${event.workspace}, session ${event.runId}`)}${guardLines(event.guard?.classifiers ?? [], colors)}`;
    case 'context-pack':
      return `packed ${event.filesIncluded} files, ${event.tokens.toLocaleString('en-US')} tokens of a ${event.budget.toLocaleString('en-US')} budget (${event.strategy === 'map' ? 'repository map + ranked files' : 'whole repository'})`;
    case 'plan-propose':
      return `\n${colorizePlan(renderPlanMarkdown({ plan: event.plan, planId: event.planId, version: event.version }), colors)}`;
    case 'plan-approve':
      return `plan ${event.planId} v${event.version} approved by ${event.by}`;
    case 'plan-deviation':
      return colors.yellow(`  ! deviation in ${event.stepId}: ${event.detail} (${event.action})`);
    case 'step-start':
      return `\n${colors.bold(`● ${event.stepId} ${event.title}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`)}`;
    case 'step-finish': {
      const line = `${event.status === 'done' ? '✓' : '✗'} ${event.stepId} ${event.status}${event.summary ? `: ${firstLine(event.summary)}` : ''}`;
      return event.status === 'done' ? colors.green(line) : colors.red(line);
    }
    case 'model-call':
      return event.outcome === 'ok'
        ? undefined
        : colors.yellow(
            `  ${event.role} ${event.model}: ${event.outcome}${event.error ? ` (${firstLine(event.error)})` : ''}`,
          );
    case 'model-text':
      return undefined;
    case 'tool-call':
      return `  ${colors.dim('→')} ${event.name} ${summarizeArguments(event.arguments)}`;
    case 'tool-result':
      if (event.ok)
        return event.sandboxed === false ? colors.yellow('    (ran without a sandbox)') : undefined;
      return colors.red(`    ✗ ${firstLine(event.content)}`);
    case 'guard-verdict':
      return colors.yellow(
        `  ⚠ guard ${event.point} ${event.scanner}: ${event.action}${event.reason ? ` — ${firstLine(event.reason)}` : ''}`,
      );
    case 'approval-request':
      return undefined;
    case 'approval-resolve':
      return `  ${event.decision === 'reject' ? 'rejected' : 'approved'} (${event.requestId})`;
    case 'file-change':
      return `\n${colorizeDiff(event.diff.trimEnd(), colors)}`;
    case 'checkpoint-create':
      return undefined;
    case 'verification-finish': {
      const commands = event.commands.map((command) => command.join(' ')).join('; ');
      if (event.passed) return colors.green(`✓ verified: ${commands}`);
      return `${colors.red(`✗ verification failed: ${commands}`)}\n${event.output.split('\n').slice(-12).join('\n')}`;
    }
    case 'warning':
      return colors.yellow(`  warning: ${event.message}`);
    case 'error':
      return `${colors.red(`error: ${event.message}`)}${event.hint ? `\n  hint: ${event.hint}` : ''}`;
    case 'run-finish': {
      const usage = Object.entries(event.usage)
        .map(
          ([role, value]) =>
            `${role} ${value.inputTokens.toLocaleString('en-US')} in / ${value.outputTokens.toLocaleString('en-US')} out`,
        )
        .join(', ');
      const unverified = event.status === 'succeeded' && event.verification === 'not_run';
      const status = `${event.status}${unverified ? ' (not verified)' : ''}`;
      const styled = event.status === 'succeeded' ? colors.green(status) : colors.red(status);
      return `\n${colors.bold(styled)} in ${(event.durationMs / 1000).toFixed(1)} s${usage ? ` — tokens: ${usage}` : ''}`;
    }
  }
}

const classifierTitles = { prompt_guard: 'Prompt Guard 2', llama_guard: 'Llama Guard 4' } as const;

/** The run header's guard lines: what each classifier covers, so an unguarded run never looks guarded. */
/** One line per classifier under the run's header; one that is not on stands out (a run must not look guarded). */
function guardLines(
  classifiers: NonNullable<HerdEventOf<'run-start'>['guard']>['classifiers'],
  colors: TerminalColors,
): string {
  return classifiers
    .map((classifier) => {
      const on = classifier.state === 'on';
      const state = on ? colors.green('on') : colors.yellow(classifier.state.toUpperCase());
      return `\n  guard: ${classifierTitles[classifier.name]} ${state} — ${classifier.reason}`;
    })
    .join('');
}

function summarizeArguments(args: Record<string, unknown>): string {
  if (typeof args.path === 'string') return args.path;
  if (Array.isArray(args.argv)) return args.argv.map(String).join(' ');
  const text = JSON.stringify(args);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim().length > 0) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
