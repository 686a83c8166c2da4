/** A file offered to a {@link ContentScanner}. */
export interface ScannedFile {
  /** Path relative to the root, with `/` separators. */
  path: string;
  /** The content after built-in secret redaction. */
  content: string;
}

/** One stretch of a file a scanner removed. */
export interface ScannerRedaction {
  /** 1-based line where the removed text starts. */
  line: number;
  /** Why it was removed, e.g. `aws-access-key`; never the removed text. */
  rule: string;
  /** The text to remove (the packer replaces every occurrence in the file with a marker). */
  text: string;
}

/** What a scanner says about one file. */
export interface ContentVerdict {
  /** Stretches to redact. */
  redactions: readonly ScannerRedaction[];
  /** Reasons the file looks like it carries instructions for the model (prompt injection); empty if none. */
  flagged: readonly string[];
  /** Leave the file out of the document altogether. */
  exclude?: boolean;
}

/**
 * Judges a file's content before it enters a packed document. `@herd/guard` provides one for the
 * `repo_content` scan point; verdicts are cached by content hash, so a scanner must be deterministic.
 */
export type ContentScanner = (file: ScannedFile) => Promise<ContentVerdict>;
