/** A file whose token count is wanted. */
export interface CountedFile {
  /** Path relative to the root; decides the file type and the deterministic sample. */
  path: string;
  /**
   * Reads the content as it will appear in the document. Called only for files counted exactly, and not kept:
   * a pack holds no more text than a batch of counting needs.
   */
  text: () => string;
  /** The raw estimate from `estimateO200kTokens`. */
  estimate: number;
  /** The count: exact when `exact`, else extrapolated. Filled in by `calibrateTokenCounts`. */
  tokens: number;
  /** Whether `tokens` is an exact o200k count. */
  exact: boolean;
}
