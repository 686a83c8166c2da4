/** Who is to blame for an error, which decides how a front door reports it and which exit code a run ends with. */
export type ErrorBlame = 'user' | 'model' | 'system' | 'guard';

const marker = Symbol.for('herd.error');

/** Options every Herd error takes. */
export interface HerdErrorOptions {
  /** Stable machine-readable code, e.g. `config_invalid`. Never changes once published. */
  code: string;
  /** One sentence: what failed, the value involved, and what to do about it. */
  message: string;
  /** The underlying error, when there is one. */
  cause?: unknown;
  /** A short suggestion for the fix, when the message alone is not enough. */
  hint?: string;
}

/**
 * Base class of every error Herd throws. Subclasses split by blame: {@link UserError} (configuration or input),
 * {@link ModelBehaviorError} (a model answered something unusable), {@link SystemError} (network, provider,
 * file system) and {@link GuardError} (a guard or policy refused).
 */
export abstract class HerdError extends Error {
  /** Who is to blame. */
  abstract readonly blame: ErrorBlame;
  /** Stable machine-readable code. */
  readonly code: string;
  /** A short suggestion for the fix. */
  readonly hint: string | undefined;
  constructor(options: HerdErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.hint = options.hint;
    // A symbol marker rather than instanceof, so errors from another copy of this package are recognised.
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any Herd error, even one created by another copy of this package. */
  static isInstance(value: unknown): value is HerdError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /**
   * The Herd error behind `error`: the error itself, or the first one in its `cause` chain (frameworks such as
   * LangChain wrap errors thrown in middleware). `undefined` when there is none.
   */
  static find(error: unknown): HerdError | undefined {
    let current: unknown = error;
    for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
      if (HerdError.isInstance(current)) return current;
      current = (current as { cause?: unknown }).cause;
    }
    return undefined;
  }

  /** A plain, JSON-safe description of the error (the cause is reduced to its message). */
  toJSON(): {
    name: string;
    code: string;
    blame: ErrorBlame;
    message: string;
    hint?: string;
    cause?: string;
  } {
    const cause = this.cause instanceof Error ? this.cause.message : undefined;
    return {
      name: this.name,
      code: this.code,
      blame: this.blame,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(cause ? { cause } : {}),
    };
  }
}
