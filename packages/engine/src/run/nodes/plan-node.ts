import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createO200kTokenCounter, GuardError } from '@herd/core';
import { packRepository } from '../../context/pack-repository.js';
import { imageContentParts } from '../../images/task-image.js';
import { plannerSystemPrompt } from '../../planner/planner-prompt.js';
import { requestPlan } from '../../planner/request-plan.js';
import { plannerPackBudget } from '../../settings/planner-pack-budget.js';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';

const estimateCounter = createO200kTokenCounter({ mode: 'estimate' });

/**
 * The planning node: packs the repository into the planner's served window (whole, or map plus ranked files),
 * asks the planner for a typed plan, saves it as a new plan or a new version, and reports it. On a context-length
 * error from the provider it packs again into a smaller budget once.
 */
export function planNode(context: RunContext) {
  return async (state: RunStateValue): Promise<RunStateUpdate> => {
    context.meter.check();
    const images =
      state.images.length > 0
        ? await imageContentParts({ images: state.images, workspace: context.workspace })
        : [];
    const task = await checkTask({
      context,
      task: state.task,
      images: images.map((part) => part.image_url.url),
    });
    const rules = await readRules(context.workspace);
    const planner = context.roles.planner;
    const overhead = estimateCounter.count(plannerSystemPrompt + task + (rules ?? '')) + 2_000;
    const previous =
      state.plan && state.verification && !state.verification.passed
        ? { plan: state.plan, failure: state.verification.report }
        : undefined;
    const fullBudget = plannerPackBudget({
      contextWindow: planner.contextWindow,
      outputReserve: context.settings.outputReserve,
      promptTokens: overhead,
    });

    const attempt = async (budget: number) => {
      const packed = await packRepository({
        root: context.workspace,
        budget,
        task,
        ...(context.guard.contentScanner ? { scanContent: context.guard.contentScanner } : {}),
        ...(context.guard.contentScannerKey ? { scanContentKey: context.guard.contentScannerKey } : {}),
      });
      context.emit({
        type: 'context-pack',
        filesIncluded: packed.stats.files.inDocument,
        filesExcluded: packed.stats.files.excluded,
        tokens: packed.stats.tokens.document,
        budget,
        strategy: packed.stats.mode,
      });
      for (const flagged of packed.stats.flagged) {
        context.emit({
          type: 'guard-verdict',
          point: 'repo_content',
          scanner: 'repo_content',
          action: 'warn',
          categories: flagged.reasons,
          reason: `${flagged.path} looks like it carries instructions for the model`,
          source: flagged.path,
        });
      }
      return requestPlan({
        models: context.plannerModels,
        structuredOutput: planner.structuredOutput,
        task,
        repository: packed.document,
        // A plan longer than the run may act on would stop at the limit partway: the planner is asked to fit it.
        maxSteps: context.settings.limits.steps,
        ...(images.length > 0 ? { images } : {}),
        ...(rules ? { rules } : {}),
        ...(previous ? { previous } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        onModelCall: (report) =>
          context.emit({
            type: 'model-call',
            role: 'planner',
            provider: planner.provider,
            model: report.model,
            latencyMs: report.latencyMs,
            outcome: report.outcome,
            ...(report.usage ? { usage: report.usage } : {}),
            ...(report.error ? { error: report.error } : {}),
          }),
      });
    };

    let requested: Awaited<ReturnType<typeof attempt>>;
    try {
      requested = await attempt(fullBudget);
    } catch (error) {
      if (!isContextOverflow(error)) throw error;
      context.emit({
        type: 'warning',
        code: 'context_overflow',
        message: `The planner's provider refused the prompt as too long; packing again into ${Math.floor(fullBudget * 0.6)} tokens.`,
      });
      requested = await attempt(Math.floor(fullBudget * 0.6));
    }

    const saved = state.planId
      ? await context.plans.revise({ planId: state.planId, plan: requested.plan, author: 'planner' })
      : await context.plans.create({ task, plan: requested.plan });
    context.emit({ type: 'plan-propose', planId: saved.planId, version: saved.version, plan: saved.plan });
    return {
      plan: saved.plan,
      planId: saved.planId,
      planVersion: saved.version,
      approved: false,
      completedSteps: [],
      fixAttempts: 0,
      verification: undefined,
      ...(previous ? { replans: state.replans + 1 } : {}),
    };
  };
}

async function checkTask(input: {
  context: RunContext;
  task: string;
  images: readonly string[];
}): Promise<string> {
  const verdict = await input.context.guard.check({
    point: 'user_input',
    text: input.task,
    images: input.images,
  });
  if (verdict.action === 'block') {
    throw new GuardError({
      code: 'task_blocked',
      point: 'user_input',
      message: `The guard blocked the task (${verdict.reason ?? 'policy'}); rephrase it or adjust the guard policy.`,
    });
  }
  return verdict.text;
}

async function readRules(workspace: string): Promise<string | undefined> {
  try {
    return await readFile(join(workspace, 'HERD.md'), 'utf8');
  } catch {
    return undefined;
  }
}

/** True for a provider's "prompt too long" answer. */
export function isContextOverflow(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'ContextOverflowError' ||
    /maximum context length|context length|too many tokens|context window/i.test(error.message)
  );
}
