import { parseLenientJson } from './parse-lenient-json.js';

/**
 * Finds the JSON object a model meant to send inside free text: a ```json fenced block if there is one, else the
 * outermost `{ ... }` span. Returns the parsed value, or an `error` that says what was wrong.
 */
export function extractJsonObject(text: string): { value: unknown } | { error: string } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text);
  const candidate = fenced?.[1] ?? outermostBraces(text);
  if (candidate === undefined) return { error: 'the reply contains no JSON object' };
  return parseLenientJson(candidate);
}

function outermostBraces(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}
