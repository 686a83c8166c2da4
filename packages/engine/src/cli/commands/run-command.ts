import type { Command } from 'commander';
import { parseTaskArgument } from '../arguments/task-argument.js';
import { type TaskCommandOptions, taskImages, withTaskOptions } from '../runs/run-command-options.js';

/** Registers `herd run "task"`: plan, ask for approval, act, verify. */
export function registerRunCommand(program: Command): void {
  withTaskOptions(
    program
      .command('run')
      .description('Plan the task with Scout, ask for approval, carry it out with Maverick, and verify it')
      .argument('<task>', 'what to do, in plain words', parseTaskArgument),
    { approve: true },
  ).action(async (task: string, options: TaskCommandOptions) => {
    // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
    const { runFromCli } = await import('../runs/run-from-cli.js');
    process.exitCode = await runFromCli({
      options,
      start: (herd, signal) => herd.run(task, { signal, images: taskImages(options) }),
    });
  });
}
