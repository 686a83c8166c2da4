import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';

/**
 * Takes the workspace checkpoint before a step or a fix attempt, announces it with `checkpoint-create`, and returns
 * the state update that records it for `undo` (and as the run's undo point, before the first one). Callers are
 * nodes of their own, so the record is persisted before the step runs and a resumed run never takes a second
 * checkpoint over a half-done step.
 */
export async function takeUndoPoint(input: {
  context: RunContext;
  state: RunStateValue;
  stepId: string;
}): Promise<RunStateUpdate> {
  const { context, state, stepId } = input;
  const store = context.tools.checkpoints;
  if (!store) return {};
  const checkpoint = await store.create({ label: `herd ${context.sessionId} before ${stepId}` });
  context.emit({ type: 'checkpoint-create', checkpointId: checkpoint.id, stepId });
  return {
    stepCheckpoints: { ...state.stepCheckpoints, [stepId]: checkpoint.id },
    ...(state.runCheckpoint ? {} : { runCheckpoint: checkpoint.id }),
  };
}
