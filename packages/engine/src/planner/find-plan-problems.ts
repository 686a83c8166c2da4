import { posix } from 'node:path';
import type { Plan } from '@herd/core';

/** Options for {@link findPlanProblems}. */
export interface FindPlanProblemsOptions {
  /** Most steps a plan may have. */
  maxSteps: number;
  /** Most characters the plan may take as JSON. */
  maxCharacters: number;
}

/**
 * Finds what the plan schema cannot express but a run cannot carry out: duplicate step ids, file paths outside the
 * workspace or inside `.git`, more steps than a run may take, and a plan too long to show or store. Each problem is
 * one line that names the value and the fix, for the planner's repair turn.
 */
export function findPlanProblems(plan: Plan, options: FindPlanProblemsOptions): string[] {
  const problems: string[] = [];
  if (plan.steps.length > options.maxSteps) {
    problems.push(
      `the plan has ${plan.steps.length} steps, more than the ${options.maxSteps} a run may take; merge them into at most ${options.maxSteps} larger steps`,
    );
  }
  const seen = new Set<string>();
  plan.steps.forEach((step, index) => {
    if (seen.has(step.id)) {
      problems.push(`steps.${index}.id "${step.id}" is used by an earlier step; give every step its own id`);
    }
    seen.add(step.id);
    step.files.forEach((file, fileIndex) => {
      const problem = pathProblem(file.path);
      if (problem) problems.push(`steps.${index}.files.${fileIndex}.path "${file.path}" ${problem}`);
    });
  });
  const characters = JSON.stringify(plan).length;
  if (characters > options.maxCharacters) {
    problems.push(
      `the plan is ${characters} characters long, more than ${options.maxCharacters}; keep the summary to one paragraph and each step short`,
    );
  }
  // A plan with thousands of steps would list thousands of problems; the first few say enough.
  return problems.length > 10 ? [...problems.slice(0, 10), `and ${problems.length - 10} more`] : problems;
}

function pathProblem(path: string): string | undefined {
  const slashed = path.replaceAll('\\', '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    return 'is absolute; write paths relative to the repository root';
  }
  const normalized = posix.normalize(slashed);
  if (normalized === '..' || normalized.startsWith('../')) {
    return 'is outside the repository; list only files inside it, relative to its root';
  }
  if (normalized === '.' || normalized === './') return 'names no file; write the path of a file';
  if (normalized.split('/').includes('.git')) {
    return 'is inside .git, which Herd never changes; list working-tree files only';
  }
  return undefined;
}
