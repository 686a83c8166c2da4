import type { z } from 'zod';

const describeReceived = (input: unknown): string => {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'string')
    return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  if (typeof input === 'object') return 'an object';
  return `${typeof input} ${String(input)}`;
};

const fieldName = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(the arguments object)' : `'${path.map((part) => String(part)).join('.')}'`;

/**
 * Turns zod issues into sentences a model can act on: which field, what was expected, what was received.
 */
export function describeInputIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.slice(0, 8).map((issue) => {
    const field = fieldName(issue.path);
    switch (issue.code) {
      case 'invalid_type':
        return `${field} must be ${issue.expected}, but got ${describeReceived(issue.input)}`;
      case 'unrecognized_keys':
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')} in ${field}; remove ${issue.keys.length > 1 ? 'them' : 'it'}`;
      case 'invalid_value':
        return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
      default:
        return `${field}: ${issue.message}`;
    }
  });
}
