import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';
import { announceStep } from './announce-step.js';
import { nextStep } from './prepare-step-node.js';
import { reportingChangesOnPause, reportStepChanges } from './report-step-changes.js';
import { runActor } from './run-actor.js';

/** The acting node: runs the actor on the next unfinished step and marks it done. */
export function actStepNode(context: RunContext) {
  return async (state: RunStateValue, config: LangGraphRunnableConfig): Promise<RunStateUpdate> => {
    const step = nextStep(state);
    if (!step) return {};
    announceStep({ context, state, stepId: step.id, title: step.title, attempt: 1 });
    const outcome = await reportingChangesOnPause({
      context,
      since: state.stepCheckpoints[step.id],
      work: () => runActor({ context, state, step, config }),
    });
    await reportStepChanges({ context, since: state.stepCheckpoints[step.id] });
    // A refused deviation is reported as its own event; the step went on without it.
    const blocked = outcome.blocked !== undefined;
    context.emit({
      type: 'step-finish',
      stepId: step.id,
      status: blocked ? 'blocked' : 'done',
      ...(outcome.summary ? { summary: outcome.summary.slice(0, 2_000) } : {}),
    });
    if (outcome.blocked) {
      return {
        deviations: outcome.deviations,
        status: 'blocked',
        reason: `the guard stopped ${step.id}: ${outcome.blocked}`,
      };
    }
    await context.recordStep(step.id);
    return { completedSteps: [...state.completedSteps, step.id], deviations: outcome.deviations };
  };
}
