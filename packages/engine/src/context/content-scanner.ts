/** A file offered to a {@link ContentScanner}. */
export interface ScannedFile {
  /** Path relative to the root, with `/` separators. */
  path: string;
  /** The content after built-in secret redaction: the whole file, or the symbol lines the map shows of it. */
  content: string;
  /** `symbols` when `content` is the symbol lines the repository map shows of a file not shown in full. */
  part?: 'file' | 'symbols';
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
 * Judges a file's content before it enters a packed document. The packer offers only what the document is about
 * to show (every file when the whole repository fits; the files in full and the symbol lines of the map
 * otherwise), many at once, and never content the document leaves out. `@herd/guard` provides one for the
 * `repo_content` scan point; verdicts are cached by content hash, so a scanner must be deterministic.
 */
export type ContentScanner = (file: ScannedFile) => Promise<ContentVerdict>;
