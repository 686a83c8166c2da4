import { UserError } from '@herd/core';

/** A run reached one of its limits (steps, model calls, tokens, wall time or cost). Exit code 4. */
export class LimitExceededError extends UserError {
  /** Which limit, e.g. `modelCalls`. */
  readonly limit: string;

  constructor(options: { limit: string; value: number; maximum: number }) {
    super({
      code: 'limit_exceeded',
      message: `The run reached its ${options.limit} limit (${options.value} of ${options.maximum}); raise run.limits.${options.limit} in herd.config.json or narrow the task.`,
    });
    this.limit = options.limit;
  }
}
