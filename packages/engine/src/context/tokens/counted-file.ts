/** A file whose token count is wanted. */
export interface CountedFile {
  /** Path relative to the root; decides the file type and the deterministic sample. */
  path: string;
  /** The content as it will appear in the document. */
  text: string;
  /** The raw estimate from `estimateO200kTokens`. */
  estimate: number;
  /** The count: exact when `exact`, else extrapolated. Filled in by `calibrateTokenCounts`. */
  tokens: number;
  /** Whether `tokens` is an exact o200k count. */
  exact: boolean;
}
