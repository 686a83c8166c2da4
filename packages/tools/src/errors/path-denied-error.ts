import { GuardError } from '@herd/core';

/** The jail rule that refused a path. */
export type PathDenyRule =
  | 'invalid_path'
  | 'outside_workspace'
  | 'symlink_escape'
  | 'special_file'
  | 'git_directory'
  | 'herd_state'
  | 'herd_config'
  | 'deny_glob';

/** Options for {@link PathDeniedError}. */
export interface PathDeniedErrorOptions {
  /** The path as the caller gave it. */
  path: string;
  /** The rule that refused it. */
  rule: PathDenyRule;
  /** One sentence naming the path, the rule and what to do instead. */
  message: string;
  /** A short suggestion. */
  hint?: string;
}

/** The workspace jail refused a path; `rule` says which rule and the message says why. */
export class PathDeniedError extends GuardError {
  /** The path as the caller gave it. */
  readonly path: string;
  /** The rule that refused it. */
  readonly rule: PathDenyRule;

  constructor(options: PathDeniedErrorOptions) {
    super({
      code: `path_denied_${options.rule}`,
      message: options.message,
      point: 'tool_call',
      scanner: 'workspace_jail',
      categories: [options.rule],
      ...(options.hint ? { hint: options.hint } : {}),
    });
    this.path = options.path;
    this.rule = options.rule;
  }
}
