import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';
import { takeUndoPoint } from './take-undo-point.js';

/** The step id of the next fix attempt: `fix-1` after the first failed verification of a plan, then `fix-2`, … */
export function nextFixStepId(state: RunStateValue): string {
  return `fix-${state.fixAttempts + 1}`;
}

/**
 * Takes the undo point of the next fix attempt, as `prepare_step` does for a plan step: a node of its own, so that
 * `herd undo fix-<n>` finds it and a run resumed inside the attempt never takes a second checkpoint over it.
 */
export function prepareFixNode(context: RunContext) {
  return async (state: RunStateValue): Promise<RunStateUpdate> => {
    context.meter.check();
    return takeUndoPoint({ context, state, stepId: nextFixStepId(state) });
  };
}
