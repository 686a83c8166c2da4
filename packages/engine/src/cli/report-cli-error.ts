import { HerdError } from '@herd/core/errors';
import { redactError } from '@herd/core/secrets';
import { createSecretsRedactor } from '@herd/guard/secrets';

/**
 * Exit codes shared by every `herd` command: 0 success, 1 verification failed, 2 blocked by guard or policy,
 * 3 configuration, input or provider error, 4 limits exceeded, 70 internal error (a bug in Herd).
 */
export const exitCodes = {
  success: 0,
  verificationFailed: 1,
  blocked: 2,
  configuration: 3,
  limits: 4,
  internal: 70,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report a process ended by SIGINT. */
  cancelled: 130,
} as const;

/** The exit code for an error, by who is to blame. */
export function exitCodeFor(thrown: unknown): number {
  const error = HerdError.find(thrown);
  if (!error) return exitCodes.internal;
  if (error.code === 'limit_exceeded') return exitCodes.limits;
  return error.blame === 'guard' ? exitCodes.blocked : exitCodes.configuration;
}

/**
 * Prints an error for a person: one message and its hint for Herd errors, a stack only for bugs. Secrets are
 * redacted first (a provider's error may quote the key it was sent). Returns the exit code.
 */
export function reportCliError(thrown: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  const redactor = createSecretsRedactor();
  redactError(thrown, redactor);
  const error = HerdError.find(thrown) ?? thrown;
  if (HerdError.isInstance(error)) {
    stream.write(`herd: ${error.message}\n`);
    if (error.hint) stream.write(`  hint: ${error.hint}\n`);
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    stream.write(`herd: internal error (please report it): ${redactor.redact(detail)}\n`);
  }
  return exitCodeFor(thrown);
}
