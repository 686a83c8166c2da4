import type { Scanner, ScannerFinding } from '../scanners/scanner.js';
import type { LlamaGuardClassifier } from './llama-guard-classifier.js';

/** Options for {@link createLlamaGuardScanner}. */
export interface LlamaGuardScannerOptions {
  /** Checks in flight at once; defaults to 4. */
  concurrency?: number;
}

/**
 * The `llama_guard` scanner: each subject is one call. A subject with a `userTurn` is judged as the agent's reply
 * to it (model output); otherwise as a user turn (input, tool calls). Unsafe scores 1, with the codes as categories.
 */
export function createLlamaGuardScanner(
  classifier: LlamaGuardClassifier,
  options: LlamaGuardScannerOptions = {},
): Scanner {
  const { concurrency = 4 } = options;
  return {
    name: 'llama_guard',
    fingerprint: `llama_guard@${classifier.label}`,
    async scan(subjects) {
      const findings: ScannerFinding[] = new Array(subjects.length);
      let next = 0;
      const worker = async () => {
        while (next < subjects.length) {
          const index = next++;
          const subject = subjects[index] as (typeof subjects)[number];
          const verdict = await classifier.classify(
            subject.userTurn !== undefined
              ? { user: subject.userTurn, agent: subject.text }
              : { user: subject.text, ...(subject.images ? { images: subject.images } : {}) },
          );
          findings[index] = {
            score: verdict.safe ? 0 : 1,
            categories: verdict.categories,
            spans: [],
            reason: verdict.safe
              ? 'Llama Guard: safe.'
              : `Llama Guard: unsafe${verdict.categories.length > 0 ? ` (${verdict.categories.map((code, position) => `${code} ${verdict.categoryNames[position]}`).join(', ')})` : ''}.`,
          };
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, subjects.length) }, worker));
      return findings;
    },
  };
}
