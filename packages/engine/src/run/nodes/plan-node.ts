import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createO200kTokenCounter,
  GuardError,
  HerdError,
  ProviderError,
  type ResolvedModelRole,
  readContextLengthRefusal,
} from '@herd/core';
import { packRepository } from '../../context/pack-repository.js';
import { imageContentParts } from '../../images/task-image.js';
import { plannerSystemPrompt } from '../../planner/planner-prompt.js';
import { requestPlan } from '../../planner/request-plan.js';
import { plannerPackBudget } from '../../settings/planner-pack-budget.js';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';
import { chainWindows, servedRoles } from './served-roles.js';

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
    // The window the planner's host actually serves (asked once), not only what the preset says.
    const { planner } = await servedRoles(context);
    const overhead = estimateCounter.count(plannerSystemPrompt + task + (rules ?? '')) + 2_000;
    const previous =
      state.plan && state.verification && !state.verification.passed
        ? { plan: state.plan, failure: state.verification.report }
        : undefined;
    const fullBudget = plannerPackBudget({
      contextWindow: planner.contextWindow,
      outputReserve: context.settings.outputReserve,
      maxOutputTokens: planner.maxOutputTokens,
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
        windows: chainWindows(planner),
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
        message: `The planner's prompt did not fit the ${planner.contextWindow}-token window ${planner.provider} serves; packing again into ${Math.floor(fullBudget * 0.6)} tokens.`,
      });
      try {
        requested = await attempt(Math.floor(fullBudget * 0.6));
      } catch (again) {
        throw isContextOverflow(again) ? plannerWindowError({ planner, error: again }) : again;
      }
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

/** True for a provider's "prompt too long" answer, or Herd's own refusal to send a prompt that leaves no room. */
export function isContextOverflow(error: unknown): boolean {
  if (HerdError.find(error)?.code === 'context_length_exceeded') return true;
  if (error instanceof Error && error.name === 'ContextOverflowError') return true;
  return readContextLengthRefusal(error) !== undefined;
}

/** The error a run ends with when even a smaller pack does not fit the planner's window: what, the window, the fix. */
function plannerWindowError(input: { planner: ResolvedModelRole; error: unknown }): ProviderError {
  const { planner, error } = input;
  const refusal = readContextLengthRefusal(error);
  const window = refusal?.limit ?? planner.contextWindow;
  return new ProviderError({
    code: 'context_length_exceeded',
    provider: planner.provider,
    model: planner.model,
    ...(HerdError.find(error) ? {} : { status: 400 }),
    cause: error,
    message: `The planner's request does not fit the ${window}-token context window ${planner.provider} serves ${planner.model} with, even with the repository packed smaller; serve a larger window (vLLM: --max-model-len, Ollama: OLLAMA_CONTEXT_LENGTH, llama.cpp: -c) and set roles.planner.contextWindow to it, or lower run.outputReserve.`,
  });
}
