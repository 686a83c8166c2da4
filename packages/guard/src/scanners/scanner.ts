import { z } from 'zod';

/** The scanners a policy can name: three cheap local ones, then the two classifiers. */
export const ScannerNameSchema = z.enum([
  'hidden_text',
  'secrets',
  'patterns',
  'prompt_guard',
  'llama_guard',
]);

/** A scanner's name. */
export type ScannerName = z.infer<typeof ScannerNameSchema>;

/** Scanners that run in-process without a model, always before the classifiers. */
export const localScannerNames: readonly ScannerName[] = ['hidden_text', 'secrets', 'patterns'];

/** A stretch of the scanned text a scanner pointed at (for redaction and excerpts). */
export interface TextSpan {
  /** Offset of the first UTF-16 unit. */
  start: number;
  /** Offset just past the last unit. */
  end: number;
  /** What was found there, e.g. `github` or `zero_width`. */
  label: string;
}

/** What a scanner is given. */
export interface ScanSubject {
  /** The content to judge. */
  text: string;
  /** For Llama Guard: the user turn that `text` (the agent's reply) answers, when checking model output. */
  userTurn?: string;
  /** Images that come with a user turn (URLs or `data:` URLs); only Llama Guard 4 looks at them. */
  images?: readonly string[];
}

/** What a scanner found in one subject. Thresholds and actions are applied later, by the policy. */
export interface ScannerFinding {
  /** 0..1; local scanners give 1 on a hit and 0 otherwise, Prompt Guard its probability, Llama Guard 1 for unsafe. */
  score: number;
  /** Categories or rule names that matched. */
  categories: string[];
  /** Where in the text, when the scanner can say. */
  spans: TextSpan[];
  /** One sentence for a person, e.g. the decoded hidden text. */
  reason?: string;
}

/** A scanner: a plain object that judges many subjects at once (classifiers batch them). */
export interface Scanner {
  /** Which scanner. */
  name: ScannerName;
  /** Changes whenever the scanner's configuration would change its findings; part of the cache key. */
  fingerprint: string;
  /** Scans each subject; returns one finding per subject, in order. Throws when the scanner cannot answer. */
  scan(subjects: readonly ScanSubject[]): Promise<ScannerFinding[]>;
}
