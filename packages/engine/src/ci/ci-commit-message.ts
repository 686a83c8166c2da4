import type { CiReport } from './ci-report.js';

const subjectLength = 72;

/**
 * Writes the commit message for `--commit`: a subject from the task's first line, the plan's summary, the steps
 * done, the verification outcome, and a `Herd-Session` trailer that leads back to the run.
 */
export function ciCommitMessage(
  report: Pick<CiReport, 'task' | 'plan' | 'steps' | 'verification' | 'sessionId'>,
): string {
  const firstLine =
    report.task
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? 'apply a change';
  const subject = `herd: ${firstLine}`;
  const lines = [subject.length > subjectLength ? `${subject.slice(0, subjectLength - 1)}…` : subject, ''];
  if (report.plan) lines.push(report.plan.summary, '');
  const done = report.steps.filter((step) => step.status === 'done');
  if (done.length > 0) lines.push(...done.map((step) => `- ${step.title} (${step.id})`), '');
  if (report.verification) {
    const commands = report.plan?.verification.map((command) => command.join(' ')).join(', ');
    lines.push(
      `Verification ${report.verification.passed ? 'passed' : 'failed'}${commands ? `: ${commands}` : ''}.`,
      '',
    );
  } else {
    lines.push('Not verified: no verification command ran.', '');
  }
  lines.push(`Herd-Session: ${report.sessionId}`);
  return `${lines.join('\n')}\n`;
}
