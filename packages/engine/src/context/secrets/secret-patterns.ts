/** A high-confidence pattern for a secret inside a file. */
export interface SecretPattern {
  /** Stable rule name reported with each redaction, e.g. `github-token`. */
  rule: string;
  /** Matches the secret itself (global flag set); everything matched is redacted. */
  pattern: RegExp;
}

/**
 * The built-in secret patterns, kept few and specific so that a match is almost surely a real credential:
 * each has a vendor prefix or fixed framing and enough entropy-bearing characters. Broader detection
 * (entropy, generic `password=`) belongs to `@herd/guard`, plugged in through `scanContent`.
 */
export const secretPatterns: readonly SecretPattern[] = [
  {
    rule: 'private-key',
    pattern:
      /-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  { rule: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { rule: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})\b/g },
  { rule: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20}\b/g },
  { rule: 'slack-token', pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,250}\b/g },
  { rule: 'stripe-secret-key', pattern: /\b[sr]k_live_[0-9A-Za-z]{24,99}\b/g },
  { rule: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    rule: 'openai-api-key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/g,
  },
  { rule: 'anthropic-api-key', pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b/g },
  { rule: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
];
