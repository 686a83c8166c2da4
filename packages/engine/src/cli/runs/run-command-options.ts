import type { Command } from 'commander';
import type { TaskImage } from '../../images/task-image.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import type { RunCommandOptions } from './run-from-cli.js';

/** The options of the commands that start a run from a task (`herd run`, `herd plan`). */
export type TaskCommandOptions = RunCommandOptions & { image?: string[] };

/** Adds the options every task command takes: workspace, plan approval, NDJSON output, colour and images. */
export function withTaskOptions(command: Command, options: { approve: boolean }): Command {
  command
    .option(
      '-w, --workspace <dir>',
      'repository to work on (default: the current directory)',
      parseWorkspaceArgument,
    )
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option('--no-color', 'plain text even on a terminal (so does NO_COLOR=1)')
    // Repeated rather than variadic: a variadic option would take the task that follows it as one more image.
    .option(
      '--image <path-or-url>',
      'an image that comes with the task (PNG, JPEG, GIF or WebP file, or http(s) URL); repeat for more',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    );
  if (options.approve) command.option('-y, --yes', 'approve the plan without asking');
  return command;
}

/** The images a task command was given. */
export function taskImages(options: TaskCommandOptions): TaskImage[] {
  return (options.image ?? []).map((source) => ({ source }));
}
