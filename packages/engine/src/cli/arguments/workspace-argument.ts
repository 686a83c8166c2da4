import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/**
 * Checks a `--workspace` value where it is parsed: it must be an existing directory. Returns the absolute path, so
 * a run never starts (and never writes `.herd/`) in a place that cannot be a repository.
 */
export function parseWorkspaceArgument(value: string): string {
  if (value.trim() === '') {
    throw new InvalidArgumentError('the workspace is empty; pass the repository folder, e.g. --workspace .');
  }
  const path = resolve(value);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new InvalidArgumentError(
      `the workspace ${path} does not exist; pass an existing repository folder.`,
    );
  }
  if (!isDirectory) {
    throw new InvalidArgumentError(
      `the workspace ${path} is a file, not a folder; pass the repository folder.`,
    );
  }
  return path;
}
