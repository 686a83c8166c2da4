import type { Command } from 'commander';
import { parseTaskArgument } from '../arguments/task-argument.js';
import { type TaskCommandOptions, taskImages, withTaskOptions } from '../runs/run-command-options.js';

/** Registers `herd plan "task"`: pack the repository and propose a plan, without changing anything. */
export function registerPlanCommand(program: Command): void {
  withTaskOptions(
    program
      .command('plan')
      .description(
        'Pack the repository and propose a plan (read-only); edit .herd/plans/<id>/plan.json, then `herd act <id>`',
      )
      .argument('<task>', 'what to do, in plain words', parseTaskArgument),
    { approve: false },
  ).action(async (task: string, options: TaskCommandOptions) => {
    // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
    const { runFromCli } = await import('../runs/run-from-cli.js');
    process.exitCode = await runFromCli({
      options,
      start: (herd, signal) => herd.plan(task, { signal, images: taskImages(options) }),
    });
  });
}
