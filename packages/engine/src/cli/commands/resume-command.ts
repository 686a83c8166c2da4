import { UserError } from '@herd/core';
import type { Command } from 'commander';
import { resumableSessionStatuses } from '../../sessions/session-record.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import type { RunCommandOptions } from '../runs/run-from-cli.js';

/** Registers `herd resume [session]`: continue a killed run, or one waiting for approval. */
export function registerResumeCommand(program: Command): void {
  program
    .command('resume')
    .description('Continue a run that was killed or is waiting for approval (default: the most recent one)')
    .argument('[session]', 'session id from `herd sessions`')
    .option(
      '-w, --workspace <dir>',
      'repository to work on (default: the current directory)',
      parseWorkspaceArgument,
    )
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option('--no-color', 'plain text even on a terminal (so does NO_COLOR=1)')
    .action(async (sessionId: string | undefined, options: RunCommandOptions) => {
      // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
      const [{ createHerd }, { runFromCli }] = await Promise.all([
        import('../../herd/create-herd.js'),
        import('../runs/run-from-cli.js'),
      ]);
      let chosen = sessionId;
      if (!chosen) {
        const herd = createHerd({ ...(options.workspace ? { workspace: options.workspace } : {}) });
        try {
          const sessions = await herd.sessions();
          chosen = sessions.find((session) => resumableSessionStatuses.includes(session.status))?.id;
        } finally {
          await herd.close();
        }
      }
      if (!chosen) {
        throw new UserError({
          code: 'session_not_found',
          message: 'No session in this workspace can be resumed; `herd sessions` lists them.',
        });
      }
      const id = chosen;
      process.exitCode = await runFromCli({ options, start: (herd, signal) => herd.resume(id, { signal }) });
    });
}
