import { createHash } from 'node:crypto';

/**
 * The key an "allow always" answer about a command is remembered under for the session: the exact call (its argv,
 * working directory and standard input), so a later call is let through only if it is the very command the person
 * saw. Not the policy rule that asked: for a command no rule names that rule is `default`, and "always" for
 * `npm test` would then have allowed every unnamed command after it (`sh -c ...`, `curl ...`).
 */
export function commandApprovalKey(call: {
  argv: readonly string[];
  cwd?: string | undefined;
  stdin?: string | undefined;
}): string {
  const stdin = call.stdin === undefined ? null : createHash('sha256').update(call.stdin).digest('hex');
  return `command:${JSON.stringify([call.argv, call.cwd ?? '.', stdin])}`;
}
