import type { HerdEvent, HerdEventOf } from '@herd/core';
import { renderPlanMarkdown } from '../../planner/render-plan-markdown.js';

/**
 * Renders one run event as lines for a person in a terminal; `undefined` for events that show nothing.
 * The front door adds nothing of its own: everything a person sees comes from the event stream.
 */
export function renderEvent(event: HerdEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `herd ${event.mode}: ${event.task}\n  workspace ${event.workspace}, session ${event.runId}${guardLines(event.guard?.classifiers ?? [])}`;
    case 'context-pack':
      return `packed ${event.filesIncluded} files, ${event.tokens.toLocaleString('en-US')} tokens of a ${event.budget.toLocaleString('en-US')} budget (${event.strategy === 'map' ? 'repository map + ranked files' : 'whole repository'})`;
    case 'plan-propose':
      return `\n${renderPlanMarkdown({ plan: event.plan, planId: event.planId, version: event.version })}`;
    case 'plan-approve':
      return `plan ${event.planId} v${event.version} approved by ${event.by}`;
    case 'plan-deviation':
      return `  ! deviation in ${event.stepId}: ${event.detail} (${event.action})`;
    case 'step-start':
      return `\n● ${event.stepId} ${event.title}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'step-finish':
      return `${event.status === 'done' ? '✓' : '✗'} ${event.stepId} ${event.status}${event.summary ? `: ${firstLine(event.summary)}` : ''}`;
    case 'model-call':
      return event.outcome === 'ok'
        ? undefined
        : `  ${event.role} ${event.model}: ${event.outcome}${event.error ? ` (${firstLine(event.error)})` : ''}`;
    case 'model-text':
      return undefined;
    case 'tool-call':
      return `  → ${event.name} ${summarizeArguments(event.arguments)}`;
    case 'tool-result':
      if (event.ok) return event.sandboxed === false ? '    (ran without a sandbox)' : undefined;
      return `    ✗ ${firstLine(event.content)}`;
    case 'guard-verdict':
      return `  ⚠ guard ${event.point} ${event.scanner}: ${event.action}${event.reason ? ` — ${firstLine(event.reason)}` : ''}`;
    case 'approval-request':
      return undefined;
    case 'approval-resolve':
      return `  ${event.decision === 'reject' ? 'rejected' : 'approved'} (${event.requestId})`;
    case 'file-change':
      return `\n${event.diff.trimEnd()}`;
    case 'checkpoint-create':
      return undefined;
    case 'verification-finish':
      return `${event.passed ? '✓ verified' : '✗ verification failed'}: ${event.commands.map((command) => command.join(' ')).join('; ')}${event.passed ? '' : `\n${event.output.split('\n').slice(-12).join('\n')}`}`;
    case 'warning':
      return `  warning: ${event.message}`;
    case 'error':
      return `error: ${event.message}${event.hint ? `\n  hint: ${event.hint}` : ''}`;
    case 'run-finish': {
      const usage = Object.entries(event.usage)
        .map(
          ([role, value]) =>
            `${role} ${value.inputTokens.toLocaleString('en-US')} in / ${value.outputTokens.toLocaleString('en-US')} out`,
        )
        .join(', ');
      const unverified = event.status === 'succeeded' && event.verification === 'not_run';
      return `\n${event.status}${unverified ? ' (not verified)' : ''} in ${(event.durationMs / 1000).toFixed(1)} s${usage ? ` — tokens: ${usage}` : ''}`;
    }
  }
}

const classifierTitles = { prompt_guard: 'Prompt Guard 2', llama_guard: 'Llama Guard 4' } as const;

/** The run header's guard lines: what each classifier covers, so an unguarded run never looks guarded. */
function guardLines(classifiers: NonNullable<HerdEventOf<'run-start'>['guard']>['classifiers']): string {
  return classifiers
    .map(
      (classifier) =>
        `\n  guard: ${classifierTitles[classifier.name]} ${classifier.state === 'on' ? 'on' : classifier.state.toUpperCase()} — ${classifier.reason}`,
    )
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
