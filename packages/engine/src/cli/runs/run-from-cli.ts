import { type CreateHerdOptions, createHerd, type Herd, type HerdRun } from '../../herd/create-herd.js';
import type { HerdRunResult } from '../../herd/drive-run.js';
import { exitCodeFor, exitCodes, reportCliError } from '../report-cli-error.js';
import { createEventRenderer } from './render-event.js';
import { terminalApproval } from './terminal-approval.js';
import { terminalColors } from './terminal-colors.js';
import { terminalConfigTrust } from './terminal-config-trust.js';

/** Options shared by the commands that start or continue a run. */
export interface RunCommandOptions {
  /** Write the event stream as NDJSON on stdout instead of text. */
  json?: boolean;
  /** The repository; default the current directory. */
  workspace?: string;
  /** Approve the plan without asking. */
  yes?: boolean;
  /** `false` with `--no-color`: plain text even on a terminal. */
  color?: boolean;
}

/** The exit code for how a run ended (see the README). */
export function exitCodeForResult(result: HerdRunResult): number {
  switch (result.status) {
    case 'succeeded':
      return exitCodes.success;
    case 'verification_failed':
      return exitCodes.verificationFailed;
    case 'blocked':
    case 'awaiting_approval':
      return exitCodes.blocked;
    case 'cancelled':
      return exitCodes.cancelled;
    case 'limits_exceeded':
      return exitCodes.limits;
    case 'failed':
      return exitCodes.configuration;
  }
}

/**
 * Starts a run from the command line, renders its events (text, or NDJSON with `--json`), asks approvals at the
 * terminal, stops cleanly on Ctrl-C or SIGTERM (exit 130; the session can be resumed), and returns the exit code.
 */
export async function runFromCli(input: {
  options: RunCommandOptions;
  herdOptions?: Partial<CreateHerdOptions>;
  start: (herd: Herd, signal: AbortSignal) => HerdRun;
}): Promise<number> {
  const { options } = input;
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const herd = createHerd({
    ...(options.workspace ? { workspace: options.workspace } : {}),
    // SIGTERM while a question is open must end the run too: readline would otherwise wait for an answer forever.
    resolveApproval: terminalApproval({ onInterrupt, signal: abort.signal }),
    autoApprovePlan: options.yes === true,
    configTrust: terminalConfigTrust(),
    ...input.herdOptions,
  });
  try {
    const run = input.start(herd, abort.signal);
    const renderer = createEventRenderer({
      colors: terminalColors({
        stream: process.stdout,
        ...(options.color === false ? { color: false } : {}),
      }),
    });
    let errorShown = false;
    for await (const event of run) {
      if (event.type === 'error') errorShown = true;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(event)}\n`);
      } else if (event.type === 'model-text') {
        // Streamed text is written as it comes, already passed by the stream guard.
        process.stdout.write(event.text);
      } else {
        const text = renderer.render(event);
        if (text !== undefined) (event.type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
      }
    }
    const held = options.json ? undefined : renderer.finish();
    if (held !== undefined) process.stdout.write(`${held}\n`);
    // A run that failed after it started has reported its error as an event; one refused before it started
    // (an invalid session id, say) has not, and is reported here.
    const result = await run.result.catch((error: unknown) => ({ failed: error }));
    if ('failed' in result) return errorShown ? exitCodeFor(result.failed) : reportCliError(result.failed);
    if (!options.json && result.status === 'awaiting_approval') {
      process.stderr.write(
        `herd: waiting for approval (${result.pendingApprovals.map((request) => request.title).join('; ')}); run \`herd resume ${result.sessionId}\` in a terminal to answer.\n`,
      );
    }
    return exitCodeForResult(result);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
    await herd.close();
  }
}
