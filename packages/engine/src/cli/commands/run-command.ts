import type { Command } from 'commander';
import { type RunCommandOptions, runFromCli } from '../runs/run-from-cli.js';

/** Registers `herd run "task"`: plan, ask for approval, act, verify. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Plan the task with Scout, ask for approval, carry it out with Maverick, and verify it')
    .argument('<task>', 'what to do, in plain words')
    .option('-w, --workspace <dir>', 'repository to work on (default: the current directory)')
    .option('-y, --yes', 'approve the plan without asking')
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option(
      '--image <path-or-url...>',
      'images that come with the task (PNG, JPEG, GIF, WebP files or http(s) URLs)',
    )
    .action(async (task: string, options: RunCommandOptions & { image?: string[] }) => {
      const images = (options.image ?? []).map((source) => ({ source }));
      process.exitCode = await runFromCli({
        options,
        start: (herd, signal) => herd.run(task, { signal, images }),
      });
    });
}
