import { revealHiddenText } from '../scanners/hidden-text-scanner.js';
import type { Scanner } from '../scanners/scanner.js';
import type { PromptGuardScorer } from './prompt-guard-classifier.js';

/**
 * The `prompt_guard` scanner over a loaded classifier (in this thread or on worker threads). It scores the text as a model would read it (hidden tag
 * characters decoded, zero-width characters removed), so hiding an injection from people does not hide it here.
 */
export function createPromptGuardScanner(classifier: PromptGuardScorer): Scanner {
  const { label } = classifier;
  return {
    name: 'prompt_guard',
    fingerprint: classifier.fingerprint,
    async scan(subjects) {
      const scores = await classifier.scoreTexts(subjects.map((subject) => revealHiddenText(subject.text)));
      return scores.map((result) => ({
        score: result.score,
        categories: result.score >= 0.5 ? [label] : [],
        spans: [],
        reason: `Prompt Guard P(${label}) = ${result.score.toFixed(3)} at its highest, in the window from token ${result.worstWindowStart} of ${result.tokens} (${result.windows} windows).`,
      }));
    },
  };
}
