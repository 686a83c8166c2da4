import type { CiReport } from './ci-report.js';

const statusTitles: Record<CiReport['status'], string> = {
  succeeded: 'changes made and verified',
  verification_failed: 'verification failed',
  blocked: 'blocked by guard or policy',
  failed: 'failed',
  limits_exceeded: 'limits exceeded',
  cancelled: 'cancelled',
  awaiting_approval: 'blocked: waiting for an approval nobody can give in CI',
};

const stepMarks: Record<CiReport['steps'][number]['status'], string> = {
  done: '✅',
  failed: '❌',
  blocked: '⛔',
  skipped: '⏭️',
  interrupted: '⏸️',
  not_run: '▫️',
};

/** The headline: a success says whether anything changed and whether a verification vouches for it. */
function titleOf(report: CiReport): string {
  if (report.status !== 'succeeded') return statusTitles[report.status];
  if (report.changedFiles.length === 0) return 'succeeded, nothing changed';
  if (!report.verification) return 'changes made, not verified (no verification ran)';
  return statusTitles.succeeded;
}

/**
 * Renders a `herd ci` report as Markdown fit for a pull-request body: the task, the plan and how each step ended,
 * verification, changed files, guard verdicts, deviations and usage. Text that came from the task or from models
 * is fenced or escaped so it cannot change the page's structure.
 */
export function renderCiSummary(report: CiReport): string {
  const lines: string[] = [];
  lines.push(`## Herd CI: ${titleOf(report)}`, '');
  lines.push(
    `Exit code ${report.exitCode} · session \`${report.sessionId}\` · ${(report.durationMs / 1000).toFixed(1)} s · Herd ${report.herdVersion}`,
    '',
  );
  lines.push(...coverageBanner(report));
  if (report.reason && (report.status !== 'succeeded' || report.exitCode !== 0))
    lines.push(`**Why:** ${inline(report.reason)}`, '');
  if (report.error?.hint) lines.push(`**Hint:** ${inline(report.error.hint)}`, '');
  lines.push('### Task', '', fenced(report.task, 'text'), '');

  lines.push('### Plan', '');
  if (report.plan) {
    lines.push(inline(report.plan.summary), '');
    for (const step of report.steps) {
      const attempts = step.attempts > 1 ? `, ${step.attempts} attempts` : '';
      const fix = step.fix ? ` (after verification failed: ${inline(step.fix.failure)})` : '';
      lines.push(
        `- ${stepMarks[step.status]} **${inline(step.title)}** \`${step.id}\`: ${step.status.replace('_', ' ')}${attempts}${fix}`,
      );
    }
    lines.push('');
  } else {
    lines.push('No plan was made.', '');
  }

  lines.push('### Verification', '');
  if (report.verification) {
    lines.push(report.verification.passed ? '✅ Passed.' : '❌ Failed.', '');
    lines.push('<details><summary>Output</summary>', '', fenced(report.verification.report, 'text'), '');
    lines.push('</details>', '');
  } else {
    lines.push('Not run.', '');
  }

  lines.push('### Changed files', '');
  if (report.changedFiles.length > 0) {
    lines.push(...report.changedFiles.map((file) => `- ${file.change} \`${code(file.path)}\``), '');
  } else {
    lines.push('None.', '');
  }

  lines.push('### Guard verdicts', '');
  if (report.guardVerdicts.length > 0) {
    lines.push('| point | scanner | action | reason |', '|---|---|---|---|');
    for (const verdict of report.guardVerdicts) {
      lines.push(
        `| ${verdict.point} | ${verdict.scanner} | ${verdict.action} | ${inline(verdict.reason ?? verdict.categories.join(', '))} |`,
      );
    }
    lines.push('');
  } else {
    lines.push('Nothing flagged.', '');
  }

  lines.push('### Deviations from the plan', '');
  if (report.deviations.length > 0) {
    lines.push(
      ...report.deviations.map(
        (deviation) =>
          `- \`${deviation.stepId}\` ${deviation.kind.replace('_', ' ')}: ${inline(deviation.detail)} → ${deviation.action}`,
      ),
      '',
    );
  } else {
    lines.push('None.', '');
  }

  const refused = report.refusedCommands ?? [];
  if (refused.length > 0) {
    lines.push('### Refused commands', '');
    lines.push(
      ...refused.map(
        (command) =>
          `- \`${command.stepId}\` \`${code(command.argv.join(' '))}\`: ${command.code === 'approval_required' ? 'needs an approval nobody can give in CI' : 'refused'} (${inline(command.reason)})`,
      ),
      '',
    );
    lines.push(
      'Declare the command as `run.testCommand` or allow it in `tools.commands.rules` to let it run unattended.',
      '',
    );
  }

  lines.push('### Usage', '');
  const roles = Object.entries(report.usage.byRole);
  if (roles.length > 0) {
    lines.push('| role | input tokens | output tokens | total |', '|---|---:|---:|---:|');
    for (const [role, usage] of roles) {
      lines.push(`| ${role} | ${usage.inputTokens} | ${usage.outputTokens} | ${usage.totalTokens} |`);
    }
    lines.push('');
  }
  lines.push(`${report.usage.modelCalls} model calls, ${report.usage.totalTokens} tokens.`, '');
  if (report.commit)
    lines.push(`Committed as \`${report.commit.sha.slice(0, 12)}\` on \`${report.commit.branch}\`.`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}

const classifierTitles: Record<CiReport['guard']['classifiers'][number]['name'], string> = {
  prompt_guard: 'Prompt Guard 2',
  llama_guard: 'Llama Guard 4',
};

/**
 * A warning at the top when the guard did not cover everything, so a pull request never looks guarded when it was
 * not: each classifier that was skipped or failed, and why.
 */
function coverageBanner(report: CiReport): string[] {
  const { classifiers } = report.guard;
  if (classifiers.length === 0) {
    return ['> ⚠️ **Guard coverage unknown:** the run stopped before the guard was set up.', ''];
  }
  const missing = classifiers.filter((classifier) => classifier.state !== 'on');
  if (missing.length === 0) return [];
  return [
    `> ⚠️ **Not fully guarded:** ${missing.length === classifiers.length ? 'no classifier checked this run; only the local scanners (hidden text, secrets, patterns) did' : 'part of the guard did not run'}.`,
    ...missing.map(
      (classifier) =>
        `> - ${classifierTitles[classifier.name]} ${classifier.state}: ${inline(classifier.reason)}`,
    ),
    '',
  ];
}

/** A fenced block whose fence is longer than any run of backticks inside the text. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

/** One line of text with Markdown and HTML structure characters escaped. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/([\\`*_[\]<>|#@!])/g, '\\$1');
}

/** Text inside an inline code span (a backtick would end it). */
function code(text: string): string {
  return text.replace(/`/g, "'");
}
