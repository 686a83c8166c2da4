import { reportCliError } from './report-cli-error.js';

/**
 * Reports an exception nothing caught (or a promise rejection nothing handled) the way every other error is
 * reported: through `reportCliError` (redacted, exit code 70 for a bug), instead of leaving it to Node. Node prints
 * such an error itself, message, stack and the offending source line, straight to file descriptor 2: past the
 * redaction of `process.stderr`, so a provider's answer quoting a key would reach the terminal or the CI log as is.
 *
 * @example
 * ```ts
 * redactProcessOutput();
 * reportUncaughtErrors();
 * ```
 */
export function reportUncaughtErrors(): void {
  process.on('uncaughtException', (error) => {
    process.exitCode = reportCliError(error);
    // Writes to stderr are synchronous for files, terminals and pipes, so the report is out before the process ends.
    process.exit();
  });
}
