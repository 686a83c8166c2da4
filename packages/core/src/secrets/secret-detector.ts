/** A stretch of text that holds a secret. */
export interface SecretSpan {
  /** Offset of the first UTF-16 unit. */
  start: number;
  /** Offset just past the last unit. */
  end: number;
  /** What the secret is, e.g. `aws`, `url-credentials` or the environment variable `TOGETHER_API_KEY`. */
  label: string;
}

/** What a detector is told about the text besides its content. */
export interface SecretDetectionOptions {
  /** The file the text comes from, when it is a file (some formats, such as `.npmrc`, are recognised by name). */
  path?: string;
}

/**
 * Finds secrets by their shape (key formats, credentials in URLs), without knowing any value in advance. The guard
 * provides the product's detector (`secretDetector` in `@herd/guard`); {@link urlCredentialDetector} is the small
 * one core falls back to.
 */
export interface SecretDetector {
  /** Changes whenever what the detector finds could change; part of cache keys. */
  readonly version: string;
  /**
   * A cheap first look: `false` only when {@link find} would find nothing in `text`, nor in any string that `text`
   * holds JSON-escaped. Callers skip the full search (and JSON parsing) when it says no.
   */
  mayContain(text: string): boolean;
  /** Every secret in `text`, in no particular order; overlapping spans are allowed. */
  find(text: string, options?: SecretDetectionOptions): SecretSpan[];
}

/** A detector that finds nothing: a redactor given it removes only the values of secret environment variables. */
export const emptySecretDetector: SecretDetector = {
  version: 'none',
  mayContain: () => false,
  find: () => [],
};
