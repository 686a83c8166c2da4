import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import { actStepNode } from './nodes/act-step-node.js';
import { approvePlanNode } from './nodes/approve-plan-node.js';
import { fixNode } from './nodes/fix-node.js';
import { planNode } from './nodes/plan-node.js';
import { prepareFixNode } from './nodes/prepare-fix-node.js';
import { nextStep, prepareStepNode } from './nodes/prepare-step-node.js';
import { verifyNode } from './nodes/verify-node.js';
import type { RunContext } from './run-context.js';
import { RunState, type RunStateValue } from './run-state.js';

/**
 * Builds a run as a LangGraph state graph, checkpointed after every node:
 *
 * ```
 * START → make_plan → approve_plan → prepare_step → act_step → verify → END (passed, no steps left)
 *
 * act_step → prepare_step                 the next step, unless verifyAfterEachStep
 * verify   → prepare_step                 passed with steps left (verifyAfterEachStep)
 * verify   → prepare_fix → fix → verify   failed, fix attempts left
 * verify   → make_plan                    failed, no fix attempts left, re-plans left; else END
 * ```
 * A run in `act` mode starts at `approve_plan` with an existing plan. A plan that is not approved, and any node
 * that stops the run (blocked, failed), leads to END. `prepare_step` and `prepare_fix` take the undo point of the
 * step or fix attempt that follows them, in a super-step of their own.
 */
export function buildRunGraph(options: { context: RunContext; checkpointer: BaseCheckpointSaver }) {
  const { context } = options;
  const graph = new StateGraph(RunState)
    .addNode('make_plan', planNode(context))
    .addNode('approve_plan', approvePlanNode(context))
    .addNode('prepare_step', prepareStepNode(context))
    .addNode('act_step', actStepNode(context))
    .addNode('verify', verifyNode(context))
    .addNode('prepare_fix', prepareFixNode(context))
    .addNode('fix', fixNode(context))
    .addConditionalEdges(START, (state: RunStateValue) => (state.plan ? 'approve_plan' : 'make_plan'), [
      'make_plan',
      'approve_plan',
    ])
    .addEdge('make_plan', 'approve_plan')
    .addConditionalEdges(
      'approve_plan',
      (state: RunStateValue) => (state.status || !state.approved ? END : 'prepare_step'),
      ['prepare_step', END],
    )
    .addEdge('prepare_step', 'act_step')
    .addConditionalEdges(
      'act_step',
      (state: RunStateValue) =>
        state.status
          ? END
          : nextStep(state) && !context.settings.verifyAfterEachStep
            ? 'prepare_step'
            : 'verify',
      ['prepare_step', 'verify', END],
    )
    .addConditionalEdges('verify', (state: RunStateValue) => afterVerify(context, state), [
      'prepare_fix',
      'make_plan',
      'prepare_step',
      END,
    ])
    .addEdge('prepare_fix', 'fix')
    .addConditionalEdges('fix', (state: RunStateValue) => (state.status ? END : 'verify'), ['verify', END]);
  return graph.compile({ checkpointer: options.checkpointer });
}

function afterVerify(
  context: RunContext,
  state: RunStateValue,
): 'prepare_fix' | 'make_plan' | 'prepare_step' | typeof END {
  if (state.status) return END;
  if (state.verification?.passed) return nextStep(state) ? 'prepare_step' : END;
  if (state.fixAttempts < context.settings.maxFixAttempts) return 'prepare_fix';
  if (state.replans < context.settings.maxReplans) return 'make_plan';
  return END;
}

/** The compiled run graph. */
export type RunGraph = ReturnType<typeof buildRunGraph>;
