import JSON5 from 'json5';

/**
 * Parses JSON as a model writes it: strict JSON, else JSON5 (comments, trailing commas, single quotes), which
 * spares the model a repair turn (for the planner, a second call with the whole packed repository). Text cut off
 * before its end still fails: JSON5 closes nothing. JSON5 also reads Infinity and NaN, which zod's numbers reject.
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
