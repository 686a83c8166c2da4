import { z } from 'zod';
import { findingFromSpans } from './finding-from-spans.js';
import type { Scanner, ScannerFinding, TextSpan } from './scanner.js';

/** One configurable pattern: a name (reported as the category) and a JavaScript regular expression. */
export const PatternRuleSchema = z
  .object({
    /** Reported as the category, e.g. `ignore_instructions`. */
    name: z.string().min(1),
    /** Regular expression source (JavaScript syntax). */
    pattern: z.string().min(1),
    /** Flags besides `g`, which is always added; defaults to `i`. */
    flags: z
      .string()
      .regex(/^[imsuv]*$/)
      .default('i'),
  })
  .strict()
  .refine((rule) => isValidPattern(rule.pattern, rule.flags), {
    message: 'Not a valid JavaScript regular expression; fix the pattern.',
    path: ['pattern'],
  });

/** A configurable pattern. */
export type PatternRule = z.infer<typeof PatternRuleSchema>;

/** LlamaFirewall's default injection phrases, widened slightly; secrets and PII are left to their scanners. */
export const defaultPatternRules: PatternRule[] = [
  {
    name: 'ignore_instructions',
    pattern: String.raw`\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)?\s*(instructions|prompts?|rules)\b`,
    flags: 'i',
  },
  {
    name: 'reveal_system_prompt',
    pattern: String.raw`\b(reveal|print|show|repeat)\s+(your|the)\s+system\s+prompt\b`,
    flags: 'i',
  },
];

/** Options for {@link createPatternScanner}. */
export interface PatternScannerOptions {
  /** The patterns; defaults to {@link defaultPatternRules}. */
  rules?: readonly PatternRule[];
}

/** Matches a small configurable list of regular expressions; each match is a span named after its rule. */
export function createPatternScanner(options: PatternScannerOptions = {}): Scanner {
  const rules = (options.rules ?? defaultPatternRules).map((rule) => ({
    name: rule.name,
    expression: new RegExp(rule.pattern, `${rule.flags.replace('g', '')}g`),
  }));
  return {
    name: 'patterns',
    fingerprint: `patterns@1:${JSON.stringify(options.rules ?? defaultPatternRules)}`,
    async scan(subjects) {
      return subjects.map((subject): ScannerFinding => {
        const spans: TextSpan[] = [];
        for (const rule of rules) {
          for (const match of subject.text.matchAll(rule.expression)) {
            if (match[0].length === 0) continue;
            spans.push({ start: match.index, end: match.index + match[0].length, label: rule.name });
          }
        }
        return findingFromSpans({ spans, reasonPrefix: 'Matched patterns' });
      });
    },
  };
}

function isValidPattern(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}
