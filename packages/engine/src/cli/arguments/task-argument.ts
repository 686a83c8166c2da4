import { InvalidArgumentError } from 'commander';

/** Checks a task given on the command line where it is parsed: it must say something. */
export function parseTaskArgument(value: string): string {
  if (value.trim() === '') {
    throw new InvalidArgumentError(
      'the task is empty; say what to do, e.g. herd run "make the failing test pass".',
    );
  }
  return value;
}
