import { ModelBehaviorError } from '@herd/core';
import { isLlamaGuardCategoryCode, type LlamaGuardCategoryCode } from './llama-guard-categories.js';

/** Llama Guard's answer, parsed. */
export interface LlamaGuardOutput {
  /** `safe` or `unsafe`. */
  safe: boolean;
  /** Violated category codes (empty when safe). */
  codes: LlamaGuardCategoryCode[];
}

/**
 * Parses `safe`, or `unsafe` followed (on the next line, or the same one) by comma-separated codes `S1`..`S14`.
 * Anything else is an error: the policy's `onError` decides what it means, never a silent pass.
 *
 * @throws ModelBehaviorError `llama_guard_unparseable` with the raw output.
 */
export function parseLlamaGuardOutput(output: string): LlamaGuardOutput {
  const text = output.trim();
  const unparseable = () =>
    new ModelBehaviorError({
      code: 'llama_guard_unparseable',
      output,
      message: `Llama Guard answered '${text.slice(0, 80)}', which is neither 'safe' nor 'unsafe' with S1..S14 codes; check that the guard.llamaGuard role serves a Llama Guard model.`,
    });
  if (/^safe$/i.test(text)) return { safe: true, codes: [] };
  const unsafe = /^unsafe\b([\s\S]*)$/i.exec(text);
  if (!unsafe) throw unparseable();
  const rest = (unsafe[1] ?? '').trim();
  if (rest === '') return { safe: false, codes: [] };
  const codes = rest
    .split(/[,\s]+/)
    .filter((code) => code.length > 0)
    .map((code) => code.toUpperCase());
  if (!codes.every(isLlamaGuardCategoryCode)) throw unparseable();
  return { safe: false, codes: [...new Set(codes)] as LlamaGuardCategoryCode[] };
}
