import { formatCommandLine, type Plan } from '@herd/core';

/** Renders a plan as Markdown for a person to read (the plan is edited as JSON, in `plan.json`). */
export function renderPlanMarkdown(input: {
  plan: Plan;
  task?: string;
  planId?: string;
  version?: number;
  approvedAt?: string;
}): string {
  const { plan } = input;
  const lines: string[] = [];
  const title = input.planId
    ? `# Plan ${input.planId}${input.version ? ` (version ${input.version})` : ''}`
    : '# Plan';
  lines.push(title, '');
  if (input.task) lines.push(`**Task:** ${input.task}`, '');
  lines.push(input.approvedAt ? `**Approved** ${input.approvedAt}` : '**Not approved yet.**', '');
  lines.push(plan.summary, '');
  if (plan.assumptions.length > 0)
    lines.push('## Assumptions', '', ...plan.assumptions.map((item) => `- ${item}`), '');
  lines.push('## Steps', '');
  plan.steps.forEach((step, index) => {
    lines.push(`### ${index + 1}. ${step.title} \`${step.id}\``, '', step.intent, '');
    if (step.files.length > 0) lines.push(...step.files.map((file) => `- ${file.change} \`${file.path}\``));
    if (step.commands.length > 0)
      lines.push(...step.commands.map((command) => `- run \`${formatCommandLine(command)}\``));
    lines.push('', `Done when: ${step.acceptance}`, '');
  });
  if (plan.verification.length > 0) {
    lines.push(
      '## Verification',
      '',
      ...plan.verification.map((command) => `- \`${formatCommandLine(command)}\``),
      '',
    );
  }
  if (plan.risks.length > 0) lines.push('## Risks', '', ...plan.risks.map((risk) => `- ${risk}`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
