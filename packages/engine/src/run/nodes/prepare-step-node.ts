import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';
import { takeUndoPoint } from './take-undo-point.js';

/** The next plan step that has not finished, if any. */
export function nextStep(state: RunStateValue) {
  return state.plan?.steps.find((step) => !state.completedSteps.includes(step.id));
}

/**
 * Takes the undo point of the next step (and of the whole run, before the first step). It is a node of its own
 * so that a resumed run never takes a second checkpoint over a half-done step.
 */
export function prepareStepNode(context: RunContext) {
  return async (state: RunStateValue): Promise<RunStateUpdate> => {
    context.meter.check();
    const step = nextStep(state);
    if (!step) return {};
    return takeUndoPoint({ context, state, stepId: step.id });
  };
}
