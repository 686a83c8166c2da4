import { ConfigError } from '@herd/core';

// Llama 4's tokenizer is close to o200k but not identical: keep a margin so a packed prompt that "fits" does.
const tokenizerMargin = 0.95;

/** Tokens of the planner's prompt besides the packed repository when nothing more is known (system prompt, task). */
export const defaultPromptTokens = 2_000;

/** The output reserve when `run.outputReserve` is not set and the window is large. */
export const defaultOutputReserve = 8_192;

/**
 * The tokens kept free for the planner's answer: `run.outputReserve` when set; otherwise 8,192, but never more than
 * the planner may write (`maxOutputTokens`) nor a quarter of its window, so small local windows keep room to read.
 */
export function plannerOutputReserve(options: {
  contextWindow: number;
  outputReserve?: number | undefined;
  maxOutputTokens?: number | undefined;
}): number {
  if (options.outputReserve !== undefined) return options.outputReserve;
  return Math.min(
    defaultOutputReserve,
    options.maxOutputTokens ?? defaultOutputReserve,
    Math.max(256, Math.floor(options.contextWindow / 4)),
  );
}

/**
 * How many tokens of packed repository fit the planner's window: the window less the output reserve and the rest
 * of the prompt, with a margin for the difference between tokenizers.
 *
 * @throws {ConfigError} `pack_budget_empty` when nothing fits, naming the reserve, the window and the fix.
 */
export function plannerPackBudget(options: {
  /** The planner's served context window (`roles.planner.contextWindow`). */
  contextWindow: number;
  /** `run.outputReserve`, when the configuration sets it. */
  outputReserve?: number | undefined;
  /** The planner's `maxOutputTokens`, which bounds the default reserve. */
  maxOutputTokens?: number | undefined;
  /** Tokens of the prompt besides the repository; default {@link defaultPromptTokens}. */
  promptTokens?: number;
  /** What else the caller's user can do when nothing fits (e.g. pass `--budget`). */
  hint?: string;
}): number {
  const { contextWindow } = options;
  const outputReserve = plannerOutputReserve(options);
  const promptTokens = options.promptTokens ?? defaultPromptTokens;
  const budget = Math.floor((contextWindow - outputReserve - promptTokens) * tokenizerMargin);
  if (budget > 0) return budget;
  const reserveNote =
    options.outputReserve !== undefined
      ? `run.outputReserve (${outputReserve})`
      : `the ${outputReserve}-token reserve for the answer`;
  throw new ConfigError({
    source: 'configuration',
    code: 'pack_budget_empty',
    message: `${reserveNote} leaves no room for the repository in the planner's ${contextWindow}-token window (with a ${promptTokens}-token prompt); serve a larger window (Ollama: OLLAMA_CONTEXT_LENGTH, llama.cpp: -c, vLLM: --max-model-len) and tell Herd with HERD_CONTEXT_WINDOW or roles.planner.contextWindow${options.outputReserve !== undefined ? ', or lower run.outputReserve' : ''}.`,
    ...(options.hint ? { hint: options.hint } : {}),
  });
}
