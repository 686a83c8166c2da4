import type { HerdErrorOptions } from './herd-error.js';
import { UserError } from './user-error.js';

/** Options for {@link ConfigError}. */
export interface ConfigErrorOptions extends Omit<HerdErrorOptions, 'code'> {
  /** Stable code; defaults to `config_invalid`. */
  code?: string;
  /** Where the configuration came from (a file path or `environment`). */
  source: string;
  /** Each problem found, with the dotted path of the offending value. */
  issues?: readonly ConfigIssue[];
}

/** One problem in a configuration. */
export interface ConfigIssue {
  /** Dotted path of the value, e.g. `roles.planner.contextWindow`. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
}

/** The configuration cannot be used. Lists every problem with its exact path. */
export class ConfigError extends UserError {
  /** Where the configuration came from. */
  readonly source: string;
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];

  constructor(options: ConfigErrorOptions) {
    super({ ...options, code: options.code ?? 'config_invalid' });
    this.source = options.source;
    this.issues = options.issues ?? [];
  }
}
