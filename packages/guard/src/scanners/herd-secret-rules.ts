import type { SecretSpan } from '@herd/core/secrets';

/** A key format secretlint's recommended preset does not cover (or covers only at one length). */
interface HerdSecretRule {
  /** The label of what it finds; the preset's name where the preset knows the vendor. */
  label: string;
  /** Matches the secret itself (global). */
  pattern: RegExp;
}

/**
 * Key formats the detector finds besides secretlint's preset: vendors it does not know (GitLab, Stripe, Google API
 * keys), and lengths it does not accept (GitHub says its tokens may grow up to 255 characters; OpenAI project keys and
 * Anthropic admin keys vary). Each has a vendor prefix or fixed framing, so a match is almost surely a credential.
 */
const herdSecretRules: readonly HerdSecretRule[] = [
  { label: 'github', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82,255})\b/g },
  { label: 'gitlab', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { label: 'stripe', pattern: /\b[sr]k_live_[0-9A-Za-z]{24,99}\b/g },
  { label: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    label: 'openai',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/g,
  },
  { label: 'anthropic', pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b/g },
];

/** What could start a finding of {@link findHerdSecrets}, for the detector's cheap first look. */
export const herdSecretPrefixes = [
  'gh[pousr]_',
  'github_pat_',
  'glpat-',
  '[sr]k_live_',
  'AIza',
  'T3BlbkFJ',
  'sk-ant-',
];

/** Every match of Herd's own key formats in `text`. */
export function findHerdSecrets(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const { label, pattern } of herdSecretRules) {
    for (const match of text.matchAll(pattern)) {
      spans.push({ start: match.index, end: match.index + match[0].length, label });
    }
  }
  return spans;
}
