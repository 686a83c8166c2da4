import type { PlanStep } from '@herd/core';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';
import { announceStep } from './announce-step.js';
import { nextFixStepId } from './prepare-fix-node.js';
import { reportingChangesOnPause, reportStepChanges } from './report-step-changes.js';
import { runActor } from './run-actor.js';
import { verificationCommands } from './verify-node.js';

/**
 * The fixing node: after verification failed, the actor gets the failure output and a step that spans every file
 * of the plan and the verification commands, and tries to make verification pass. Its undo point was taken by
 * `prepare_fix`.
 */
export function fixNode(context: RunContext) {
  return async (state: RunStateValue, config: LangGraphRunnableConfig): Promise<RunStateUpdate> => {
    const plan = state.plan!;
    const attempt = state.fixAttempts + 1;
    const files = new Map(plan.steps.flatMap((step) => step.files).map((file) => [file.path, file]));
    const step: PlanStep = {
      id: nextFixStepId(state),
      title: `Make verification pass (attempt ${attempt})`,
      intent:
        'Verification failed after the plan was carried out. Read the failure, find the cause in the files of the plan, and fix it.',
      files: [...files.values()].map((file) => ({
        path: file.path,
        change: file.change === 'delete' ? 'delete' : 'modify',
      })),
      commands: verificationCommands(context, state),
      acceptance: 'the verification commands pass',
    };
    announceStep({ context, state, stepId: step.id, title: step.title, attempt });
    const outcome = await reportingChangesOnPause({
      context,
      since: state.stepCheckpoints[step.id],
      work: () => runActor({ context, state, step, config, failure: state.verification?.report ?? '' }),
    });
    await reportStepChanges({ context, since: state.stepCheckpoints[step.id] });
    context.emit({
      type: 'step-finish',
      stepId: step.id,
      status: 'done',
      ...(outcome.summary ? { summary: outcome.summary.slice(0, 2_000) } : {}),
    });
    if (outcome.blocked) {
      return {
        fixAttempts: attempt,
        deviations: outcome.deviations,
        status: 'blocked',
        reason: `the guard stopped ${step.id}: ${outcome.blocked}`,
      };
    }
    return { fixAttempts: attempt, deviations: outcome.deviations };
  };
}
