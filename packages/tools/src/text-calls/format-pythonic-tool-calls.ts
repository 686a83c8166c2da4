import type { TextToolCall } from './parse-call-block.js';

const literal = (value: unknown): string => {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${JSON.stringify(key)}: ${literal(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(String(value));
};

/**
 * Writes calls in Llama 4's pythonic form, `[name(key=value, ...), ...]`, e.g. to show past calls in a prompt.
 * The inverse of the pythonic part of `parseTextToolCalls`.
 */
export function formatPythonicToolCalls(calls: readonly TextToolCall[]): string {
  return `[${calls
    .map(
      (call) =>
        `${call.name}(${Object.entries(call.arguments)
          .map(([key, value]) => `${key}=${literal(value)}`)
          .join(', ')})`,
    )
    .join(', ')}]`;
}
