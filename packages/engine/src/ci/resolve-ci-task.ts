import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '@herd/core';

/** The environment variable `herd ci` reads the task from when neither `--task` nor `--task-file` is given. */
export const defaultCiTaskVariable = 'HERD_TASK';

/** Options for {@link resolveCiTask}. */
export interface ResolveCiTaskOptions {
  /** The task text (`--task`). */
  task?: string | undefined;
  /** A file holding the task (`--task-file`), relative to `cwd`. */
  taskFile?: string | undefined;
  /** The environment variable to read when neither is given; default {@link defaultCiTaskVariable}. */
  taskVariable?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Finds the task of a CI run: `--task`, else `--task-file`, else an environment variable (a pipeline passing an issue
 * body). Surrounding blank space is removed.
 *
 * @throws UserError when both `--task` and `--task-file` are given, the file cannot be read, or no task is found.
 */
export function resolveCiTask(options: ResolveCiTaskOptions): string {
  const variable = options.taskVariable ?? defaultCiTaskVariable;
  if (options.task !== undefined && options.taskFile !== undefined) {
    throw new UserError({
      code: 'ci_task_ambiguous',
      message: 'Both --task and --task-file were given; pass only one of them.',
    });
  }
  let task: string | undefined = options.task;
  let source = '--task';
  if (options.taskFile !== undefined) {
    const file = resolve(options.cwd ?? process.cwd(), options.taskFile);
    source = `--task-file ${file}`;
    try {
      task = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UserError({
        code: 'ci_task_file_unreadable',
        message: `Cannot read the task file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path given to --task-file.`,
        cause: error,
      });
    }
  } else if (task === undefined) {
    task = (options.env ?? process.env)[variable];
    source = `$${variable}`;
  }
  const trimmed = task?.trim() ?? '';
  if (!trimmed) {
    throw new UserError({
      code: 'ci_task_missing',
      message:
        task === undefined
          ? `No task was given; pass --task "...", --task-file FILE, or set ${variable}.`
          : `The task from ${source} is empty; give it the text of the change to make.`,
    });
  }
  return trimmed;
}
