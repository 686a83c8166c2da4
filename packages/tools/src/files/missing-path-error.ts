import { UserError } from '@herd/core';

/** The error for a path that does not exist, pointing the model at the listing tools. */
export function missingPathError(shownPath: string): UserError {
  return new UserError({
    code: 'path_not_found',
    message: `'${shownPath}' does not exist in the workspace; call list_files or glob to find the right path.`,
  });
}
