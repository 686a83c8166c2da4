import { type ErrorBlame, HerdError, type HerdErrorOptions } from './herd-error.js';

/** Options for {@link GuardError}. */
export interface GuardErrorOptions extends HerdErrorOptions {
  /** The scan point where content was refused, e.g. `tool_output`. */
  point?: string;
  /** Which scanner decided, e.g. `prompt_guard`. */
  scanner?: string;
  /** Categories or rule names that matched. */
  categories?: readonly string[];
}

/** A guard or the policy refused content or an action. */
export class GuardError extends HerdError {
  readonly blame: ErrorBlame = 'guard';
  /** The scan point. */
  readonly point: string | undefined;
  /** The scanner that decided. */
  readonly scanner: string | undefined;
  /** Categories or rule names that matched. */
  readonly categories: readonly string[];

  constructor(options: GuardErrorOptions) {
    super(options);
    this.point = options.point;
    this.scanner = options.scanner;
    this.categories = options.categories ?? [];
  }
}
