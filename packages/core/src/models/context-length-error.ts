import { statusOf } from './is-fallback-worthy.js';

/** What a host said when it refused a request as longer than its window. */
export interface ContextLengthRefusal {
  /** The window the host named, in tokens, when it named one. */
  limit: number | undefined;
  /** The tokens the host counted for the request (prompt plus completion), when it said. */
  requested: number | undefined;
  /** The host's own words. */
  message: string;
}

// How hosts word "the prompt (plus max_tokens) does not fit", with the window's figure where they give it:
// vLLM (old and new), OpenAI, OpenRouter, Together / text-generation-inference, Fireworks, Anthropic-style
// gateways, llama.cpp's server.
const limitPatterns: readonly RegExp[] = [
  /maximum context length is (\d+)/i, // vLLM, OpenAI, OpenRouter ("This endpoint's maximum context length is")
  /maximum model length of (\d+)/i, // vLLM: "The decoder prompt (length N) is longer than the maximum model length of M"
  /`inputs` tokens \+ `max_new_tokens` must be <= (\d+)/i, // Together, text-generation-inference
  /`inputs` must have less than (\d+) tokens/i, // text-generation-inference
  /model maximum context length:? (\d+)/i, // Fireworks: "The prompt is too long: N, model maximum context length: M"
  /exceeds? the model's maximum context length of (\d+)/i, // Fireworks
  /tokens? > (\d+) maximum/i, // "prompt is too long: N tokens > M maximum"
  /exceed context limit: \d+ \+ \d+ > (\d+)/i, // "input length and max_tokens exceed context limit: N + M > L"
  /context (?:size|window|length)(?: is| of)? (\d+)/i,
];

const refusalPatterns: readonly RegExp[] = [
  ...limitPatterns,
  /context[_ ]length[_ ]exceeded/i,
  /exceed(?:s|ed)? (?:the )?(?:available )?context (?:size|window|length)/i, // llama.cpp: exceed_context_size_error
  /(?:prompt|input) is too long/i,
  /too many tokens/i,
];

const requestedPatterns: readonly RegExp[] = [
  /you requested (\d+) tokens/i,
  /your (?:messages|request) resulted in (\d+) tokens/i,
  /Given: (\d+) `inputs` tokens and (\d+) `max_new_tokens`/i,
  /prompt is too long: (\d+)/i,
  /request has (\d+) input tokens/i,
];

/**
 * Reads a host's refusal of a request as too long for its window, in the wordings of vLLM, OpenAI, OpenRouter,
 * Together, Fireworks and llama.cpp; `undefined` for any other error. A 400 (or 413/422) is required when the
 * error carries a status, so a 5xx that happens to mention tokens is not taken for one.
 */
export function readContextLengthRefusal(error: unknown): ContextLengthRefusal | undefined {
  const message = messageOf(error);
  if (!message) return undefined;
  const status = statusOf(error) ?? statusOf((error as { cause?: unknown } | undefined)?.cause);
  if (status !== undefined && status !== 400 && status !== 413 && status !== 422) return undefined;
  const code = codeOf(error);
  if (code !== 'context_length_exceeded' && !refusalPatterns.some((pattern) => pattern.test(message)))
    return undefined;
  return { limit: firstNumber(limitPatterns, message), requested: requestedOf(message), message };
}

function requestedOf(message: string): number | undefined {
  for (const pattern of requestedPatterns) {
    const match = pattern.exec(message);
    if (!match) continue;
    const numbers = match.slice(1).map(Number);
    return numbers.reduce((sum, value) => sum + value, 0);
  }
  return undefined;
}

function firstNumber(patterns: readonly RegExp[], message: string): number | undefined {
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

/** The error's message and, for LangChain-wrapped or SDK errors, the messages along its cause chain. */
function messageOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) parts.push(current.message);
    else if (typeof current === 'string') parts.push(current);
    const body = (current as { error?: unknown }).error;
    if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
      parts.push((body as { message: string }).message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}

function codeOf(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'context_length_exceeded') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
