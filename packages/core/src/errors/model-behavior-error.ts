import { type ErrorBlame, HerdError, type HerdErrorOptions } from './herd-error.js';

/** Options for {@link ModelBehaviorError}. */
export interface ModelBehaviorErrorOptions extends HerdErrorOptions {
  /** The model's raw output that could not be used, if any (kept for diagnosis, never re-sent). */
  output?: string;
}

/** A model answered with something Herd cannot use (malformed JSON, an unknown tool, an unparseable verdict). */
export class ModelBehaviorError extends HerdError {
  readonly blame: ErrorBlame = 'model';
  /** The raw output, when there is one. */
  readonly output: string | undefined;

  constructor(options: ModelBehaviorErrorOptions) {
    super(options);
    this.output = options.output;
  }
}
