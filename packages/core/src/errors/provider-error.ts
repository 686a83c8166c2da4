import type { HerdErrorOptions } from './herd-error.js';
import { SystemError } from './system-error.js';

/** Options for {@link ProviderError}. */
export interface ProviderErrorOptions extends HerdErrorOptions {
  /** Provider id from the configuration, e.g. `together`. */
  provider: string;
  /** Model id that was called. */
  model: string;
  /** HTTP status, when the provider answered. */
  status?: number;
}

/** A model provider failed: refused, timed out, or answered with an HTTP error. */
export class ProviderError extends SystemError {
  /** Provider id. */
  readonly provider: string;
  /** Model id. */
  readonly model: string;
  /** HTTP status, when the provider answered. */
  readonly status: number | undefined;

  constructor(options: ProviderErrorOptions) {
    super(options);
    this.provider = options.provider;
    this.model = options.model;
    this.status = options.status;
  }
}
