/** Why a file was left out of the packed document. */
export type ExclusionReason =
  | 'ignored'
  | 'binary'
  | 'too-large'
  | 'generated'
  | 'minified'
  | 'lockfile'
  | 'secret'
  | 'denied'
  | 'unreadable'
  | 'vanished'
  | 'not-a-file';

/** A file left out, with the reason. */
export interface ExcludedFile {
  /** Path relative to the root. */
  path: string;
  /** Why it was left out. */
  reason: ExclusionReason;
  /** More detail for a person, e.g. the size or the matching rule. */
  detail?: string;
}

/** Where a secret was redacted (never what it was). */
export interface RedactionLocation {
  /** Path relative to the root. */
  path: string;
  /** 1-based line. */
  line: number;
  /** The rule that matched, e.g. `github-token`. */
  rule: string;
}

/** Token count of one included file. */
export interface FileTokenCount {
  /** Path relative to the root. */
  path: string;
  /** Tokens in the file's content. */
  tokens: number;
  /** Whether the count is exact or extrapolated from a calibrated estimate. */
  exact: boolean;
}

/** How the repository was put into the document. */
export type PackMode = 'whole' | 'map';

/** Everything a person or the planner needs to know about a pack. */
export interface PackStats {
  /** The root that was packed, absolute. */
  root: string;
  /** `whole` when every included file is in the document, `map` when a repository map stands in for some. */
  mode: PackMode;
  /** Where the file list came from. */
  source: 'git' | 'walk';
  /** The token budget. */
  budget: number;
  /** Counts of files. */
  files: {
    /** Every path considered. */
    seen: number;
    /** Files that passed selection (in the document in `whole` mode). */
    included: number;
    /** Files whose full content is in the document. */
    inDocument: number;
    /** Files left out by selection. */
    excluded: number;
  };
  /** Bytes of the included files' content. */
  bytes: number;
  /** Token counts. */
  tokens: {
    /** Tokens of all included files' content. */
    files: number;
    /** Tokens of the whole document as returned. */
    document: number;
    /** Included files counted exactly; the rest were extrapolated from an exact sample. */
    exactFiles: number;
    /** How the counts were made: `exact`, or `sampled` when some were extrapolated. */
    method: 'exact' | 'sampled';
  };
  /** Per-file token counts of included files, largest first. */
  perFile: FileTokenCount[];
  /** Files left out by selection, with reasons, sorted by path. */
  excluded: ExcludedFile[];
  /** Files that passed selection but whose content did not fit (map mode), sorted by path. */
  cut: string[];
  /** Files listed in the map without their symbols, because the map was trimmed to its share. */
  mapTrimmed: number;
  /** Where secrets were redacted. */
  redactions: RedactionLocation[];
  /** Files a content scanner flagged, with its reasons. */
  flagged: { path: string; reasons: string[] }[];
  /** Problems that did not stop the pack (odd names, files that changed during the walk). */
  warnings: string[];
  /** Cache use. */
  cache: {
    /** Files whose counts came from the cache without reading them again. */
    hits: number;
    /** Files read and counted. */
    misses: number;
  };
  /** Wall time in milliseconds. */
  durationMs: number;
}
