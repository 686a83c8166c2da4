import { askForApproval } from '../../approvals/approval-request.js';
import { renderPlanMarkdown } from '../../planner/render-plan-markdown.js';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';

/**
 * The approval node: a plan is approved by the policy (CI, or a caller that approves automatically) or by a
 * person, who is asked through a checkpointed interrupt. A rejected plan ends the run as cancelled.
 */
export function approvePlanNode(context: RunContext) {
  return async (state: RunStateValue): Promise<RunStateUpdate> => {
    if (state.approved || !state.plan || !state.planId || !state.planVersion) return {};
    if (state.mode === 'plan')
      return { status: 'succeeded', reason: 'plan proposed; approve it with `herd act`' };
    let by: 'user' | 'policy' = 'policy';
    if (!context.autoApprovePlan) {
      if (!context.interactive) {
        return {
          status: 'blocked',
          reason: 'the plan needs approval and nobody can be asked (non-interactive run)',
        };
      }
      // Approving the plan approves the commands it names, so the question says when they would run unsandboxed.
      const namesCommands =
        state.plan.verification.length > 0 || state.plan.steps.some((step) => step.commands.length > 0);
      const unsandboxed = namesCommands ? await context.tools.unsandboxedCommands() : undefined;
      const decision = askForApproval({
        memory: context.memory,
        request: {
          requestId: `plan-${state.planId}-v${state.planVersion}`,
          kind: 'plan',
          title: `Approve plan ${state.planId} (version ${state.planVersion})${unsandboxed ? '; its commands would run UNSANDBOXED' : ''}?`,
          ...(unsandboxed ? { unsandboxed } : {}),
          detail: renderPlanMarkdown({
            plan: state.plan,
            planId: state.planId,
            version: state.planVersion,
            task: state.task,
          }),
        },
      });
      if (decision === 'reject') return { status: 'cancelled', reason: 'the plan was rejected' };
      by = 'user';
    }
    await context.plans.approve({ planId: state.planId, version: state.planVersion, by });
    context.emit({ type: 'plan-approve', planId: state.planId, version: state.planVersion, by });
    return { approved: true, approvedBy: by };
  };
}
