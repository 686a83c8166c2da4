import type { Command } from 'commander';
import type { TaskImage } from '../../images/task-image.js';
import type { RunCommandOptions } from './run-from-cli.js';

/** The options of the commands that start a run from a task (`herd run`, `herd plan`). */
export type TaskCommandOptions = RunCommandOptions & { image?: string[] };

/** Adds the options every task command takes: workspace, plan approval, NDJSON output and images. */
export function withTaskOptions(command: Command, options: { approve: boolean }): Command {
  command
    .option('-w, --workspace <dir>', 'repository to work on (default: the current directory)')
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option(
      '--image <path-or-url...>',
      'images that come with the task (PNG, JPEG, GIF, WebP files or http(s) URLs)',
    );
  if (options.approve) command.option('-y, --yes', 'approve the plan without asking');
  return command;
}

/** The images a task command was given. */
export function taskImages(options: TaskCommandOptions): TaskImage[] {
  return (options.image ?? []).map((source) => ({ source }));
}
