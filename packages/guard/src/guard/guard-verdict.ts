import type { GuardAction, GuardMode, ScanPoint } from '../policy/guard-policy.js';
import type { ScannerName, TextSpan } from '../scanners/scanner.js';

/** What to scan. */
export interface GuardScanRequest {
  /** Where the content is in the run. */
  point: ScanPoint;
  /** The content. */
  text: string;
  /** Overrides the guard's mode for this request. */
  mode?: GuardMode;
  /** At `model_output`: the user turn the reply answers (Llama Guard judges the pair). */
  userTurn?: string;
  /** Where the content came from (a file path, a tool name), for the audit log. */
  source?: string;
  /** Images that come with a user turn (URLs or `data:` URLs), judged by Llama Guard 4 with the text. */
  images?: readonly string[];
}

/** One scanner's part in a verdict. */
export interface ScannerResult {
  /** Which scanner. */
  scanner: ScannerName;
  /** What the policy did with its finding (`allow` below the threshold). */
  action: GuardAction;
  /** Its score, or null when it failed. */
  score: number | null;
  /** Categories or rule names it matched. */
  categories: string[];
  /** One sentence for a person. */
  reason?: string;
  /** Why it failed, when it did (the action is then the point's `onError`). */
  error?: { code: string; message: string };
  /** Whether the finding came from the cache. */
  cached: boolean;
  /** Time it took, in milliseconds (a batch's time is shared evenly among its items). */
  latencyMs: number;
}

/** A scanner the policy names at this point that did not run, and why. */
export interface SkippedScanner {
  /** Which scanner. */
  scanner: ScannerName;
  /** `not_configured` (no model for it) or `already_blocked` (a cheaper scanner blocked first). */
  reason: 'not_configured' | 'already_blocked';
}

/** The guard's decision on one piece of content. */
export interface GuardVerdict {
  /** Scan point. */
  point: ScanPoint;
  /** Mode. */
  mode: GuardMode;
  /**
   * The strongest action of any scanner: `allow`, `warn` (pass, tell the user), `redact` (pass `text`, which has the
   * hits removed), `ask` (a person must approve; never returned in `ci`, where it is `block`), `block` (refuse).
   */
  action: GuardAction;
  /** The content to pass on: the original, or with redactions when any scanner's action was `redact`. */
  text: string;
  /** Whether `text` differs from the input. */
  redacted: boolean;
  /** The spans of the input that `text` replaced (the whole input when a classifier redacts). */
  redactions: TextSpan[];
  /** SHA-256 of the input, hex. */
  contentSha256: string;
  /** Each scanner that ran. */
  results: ScannerResult[];
  /** Scanners the policy names here that did not run. */
  skipped: SkippedScanner[];
  /** One sentence summarizing the decision. */
  reason: string;
}
