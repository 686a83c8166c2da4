import type { Command } from 'commander';
import { type RunCommandOptions, runFromCli } from '../runs/run-from-cli.js';

/** Registers `herd plan "task"`: pack the repository and propose a plan, without changing anything. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'Pack the repository and propose a plan (read-only); edit .herd/plans/<id>/plan.json, then `herd act <id>`',
    )
    .argument('<task>', 'what to do, in plain words')
    .option('-w, --workspace <dir>', 'repository to work on (default: the current directory)')
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option(
      '--image <path-or-url...>',
      'images that come with the task (PNG, JPEG, GIF, WebP files or http(s) URLs)',
    )
    .action(async (task: string, options: RunCommandOptions & { image?: string[] }) => {
      const images = (options.image ?? []).map((source) => ({ source }));
      process.exitCode = await runFromCli({
        options,
        start: (herd, signal) => herd.plan(task, { signal, images }),
      });
    });
}
