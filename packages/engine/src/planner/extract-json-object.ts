import JSON5 from 'json5';

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

/**
 * Parses JSON as a model writes it: strict JSON, else JSON5 (comments, trailing commas, single quotes), which
 * spares a repair turn on the planner's whole prompt. Text cut off before its end still fails: JSON5 closes nothing.
 */
export function parseLenientJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    try {
      return { value: JSON5.parse(text) as unknown };
    } catch {
      return { error: `the JSON does not parse: ${(error as Error).message}` };
    }
  }
}

function outermostBraces(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}
