import type { RunContext } from '../run-context.js';
import type { RunStateValue } from '../run-state.js';

/**
 * Emits `step-start` for a step (or fix attempt) once per event stream and plan. LangGraph runs a node again from
 * its start when a run resumes after an approval, so a node must not announce its step twice; a step of the same
 * id in a re-plan is a new step and is announced again. A new process resuming a killed run announces it again,
 * to its own readers.
 */
export function announceStep(options: {
  context: RunContext;
  state: RunStateValue;
  stepId: string;
  title: string;
  attempt: number;
}): void {
  const { context, state, stepId } = options;
  const key = `${state.replans}:${stepId}`;
  if (context.announcedSteps.has(key)) return;
  context.announcedSteps.add(key);
  context.emit({ type: 'step-start', stepId, title: options.title, attempt: options.attempt });
}
