import type { z } from 'zod';
import type { ConfigIssue } from '../errors/config-error.js';

/** Turns zod issues into {@link ConfigIssue}s whose messages name the exact path, the value, and the fix. */
export function formatConfigIssues(options: {
  error: z.ZodError;
  input: unknown;
  prefix?: string;
}): ConfigIssue[] {
  const { error, input, prefix } = options;
  const pathOf = (keys: readonly PropertyKey[]) =>
    [...(prefix ? [prefix] : []), ...keys.map(String)].join('.') || '(root)';
  return error.issues.flatMap((issue) => {
    // Each unknown key is reported where it was written, so the path points at the line to remove or respell.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: pathOf([...issue.path, key]),
        message: `unknown key '${key}': remove it or check the spelling`,
      }));
    }
    return [{ path: pathOf(issue.path), message: describeIssue(issue, valueAt(input, issue.path)) }];
  });
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const shown = value === undefined ? 'nothing' : shortJson(value);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required: add ${withArticle(issue.expected)} here`;
      return `expected ${withArticle(issue.expected)} but found ${shown}; ${typeHint(issue.expected)}`;
    case 'invalid_format':
      if (issue.format === 'url')
        return `${shown} is not a valid http(s) URL; write one such as "http://127.0.0.1:8000/v1"`;
      return `${shown} is not a valid ${issue.format}`;
    case 'too_small':
      return `${shown} is too small: ${issue.message.replace(/^Too small: /, '')}`;
    case 'too_big':
      return `${shown} is too big: ${issue.message.replace(/^Too big: /, '')}`;
    case 'invalid_value':
      return `${shown} is not allowed; use one of ${issue.values.map((option) => JSON.stringify(option)).join(', ')}`;
    default:
      return `${shown}: ${issue.message}`;
  }
}

/** The value as JSON, cut short: a message names the value, it does not reprint a large one. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 100)}…` : text;
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

function typeHint(expected: string): string {
  if (expected === 'number') return 'write a plain number without quotes, e.g. 131072 rather than "128k"';
  if (expected === 'string') return 'write it in double quotes';
  if (expected === 'object') return 'write an object in braces';
  if (expected === 'array') return 'write a list in square brackets';
  if (expected === 'boolean') return 'write true or false';
  return 'see the README for the expected shape';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
