import { UserError } from '@herd/core';
import type { Command } from 'commander';
import { createPlanStore } from '../../planner/plan-store.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import type { RunCommandOptions } from '../runs/run-from-cli.js';

/** Registers `herd act [plan]`: carry out a saved plan (the latest one when no id is given). */
export function registerActCommand(program: Command): void {
  program
    .command('act')
    .description(
      'Carry out a saved plan (default: the newest); an edited plan.json becomes a new version to approve',
    )
    .argument('[plan]', 'plan id, e.g. plan-2026-11-27-1a2b3c4d')
    .option(
      '-w, --workspace <dir>',
      'repository to work on (default: the current directory)',
      parseWorkspaceArgument,
    )
    .option('-y, --yes', 'approve the plan without asking')
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option('--no-color', 'plain text even on a terminal (so does NO_COLOR=1)')
    .action(async (planId: string | undefined, options: RunCommandOptions) => {
      const chosen =
        planId ?? (await createPlanStore({ workspace: options.workspace ?? process.cwd() }).list())[0];
      if (!chosen) {
        throw new UserError({
          code: 'plan_not_found',
          message: 'There is no saved plan in this workspace; run `herd plan "<task>"` first.',
        });
      }
      const { runFromCli } = await import('../runs/run-from-cli.js');
      process.exitCode = await runFromCli({ options, start: (herd, signal) => herd.act(chosen, { signal }) });
    });
}
