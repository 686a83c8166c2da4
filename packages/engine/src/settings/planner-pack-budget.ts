import { ConfigError } from '@herd/core';

// Llama 4's tokenizer is close to o200k but not identical: keep a margin so a packed prompt that "fits" does.
const tokenizerMargin = 0.95;

/** Tokens of the planner's prompt besides the packed repository when nothing more is known (system prompt, task). */
export const defaultPromptTokens = 2_000;

/**
 * How many tokens of packed repository fit the planner's window: the window less the output reserve and the rest
 * of the prompt, with a margin for the difference between tokenizers.
 *
 * @throws {ConfigError} `pack_budget_empty` when nothing fits, naming `run.outputReserve`, the window and the fix.
 */
export function plannerPackBudget(options: {
  /** The planner's served context window (`roles.planner.contextWindow`). */
  contextWindow: number;
  /** `run.outputReserve`. */
  outputReserve: number;
  /** Tokens of the prompt besides the repository; default {@link defaultPromptTokens}. */
  promptTokens?: number;
  /** What else the caller's user can do when nothing fits (e.g. pass `--budget`). */
  hint?: string;
}): number {
  const { contextWindow, outputReserve } = options;
  const promptTokens = options.promptTokens ?? defaultPromptTokens;
  const budget = Math.floor((contextWindow - outputReserve - promptTokens) * tokenizerMargin);
  if (budget > 0) return budget;
  throw new ConfigError({
    source: 'configuration',
    code: 'pack_budget_empty',
    message: `run.outputReserve (${outputReserve}) leaves no room for the repository in the planner's ${contextWindow}-token window (with a ${promptTokens}-token prompt); lower run.outputReserve or raise roles.planner.contextWindow.`,
    ...(options.hint ? { hint: options.hint } : {}),
  });
}
