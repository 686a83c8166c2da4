import type { SecretRedactor } from '@herd/core/secrets';
import { createSecretsRedactor } from '@herd/guard/secrets';

/** Where one secret was found (1-based line) and by which rule; never the secret. */
export interface SecretFinding {
  /** 1-based line where the secret starts. */
  line: number;
  /** The rule that matched (`github`, `aws`, `url-credentials`...) or the environment variable whose value it is. */
  rule: string;
}

/** A text with its secrets replaced by markers. */
export interface RedactedText {
  /** The text with each secret replaced by `[redacted:<rule>]`. */
  text: string;
  /** Where secrets were found, in order. */
  findings: SecretFinding[];
}

let shared: SecretRedactor | undefined;

/**
 * The redactor the packer uses: the product's one detector (`createSecretsRedactor` in `@herd/guard`) over this
 * process's environment, so what Scout sees is redacted exactly as tool outputs are.
 */
function packRedactor(): SecretRedactor {
  shared ??= createSecretsRedactor({ env: process.env });
  return shared;
}

/** Changes whenever packed content would be redacted differently (another detector, other secret values). */
export function secretRedactionKey(): string {
  return packRedactor().fingerprint;
}

/**
 * Replaces every secret in a file's text with `[redacted:<rule>]` and reports where each was. A cheap first look
 * decides whether the full detector runs at all, so files that hold nothing secret-shaped cost one regular
 * expression pass.
 *
 * @param text - The file's text.
 * @param path - The file's path, for formats recognised by name (`.npmrc`, `package.json`, GCP key files).
 */
export function redactSecrets(text: string, path?: string): RedactedText {
  const redactor = packRedactor();
  if (!redactor.mayContain(text)) return { text, findings: [] };
  const spans = redactor
    .find(text, path ? { path } : {})
    .sort((left, right) => left.start - right.start || right.end - left.end);
  if (spans.length === 0) return { text, findings: [] };
  let output = '';
  let cursor = 0;
  let line = 1;
  let counted = 0;
  const findings: SecretFinding[] = [];
  for (const span of spans) {
    if (span.start < cursor) {
      // Overlaps the secret just replaced: the marker grows to cover it.
      cursor = Math.max(cursor, span.end);
      continue;
    }
    for (
      let index = text.indexOf('\n', counted);
      index !== -1 && index < span.start;
      index = text.indexOf('\n', index + 1)
    ) {
      line++;
    }
    counted = span.start;
    findings.push({ line, rule: span.label });
    output += `${text.slice(cursor, span.start)}[redacted:${span.label}]`;
    cursor = span.end;
  }
  return { text: output + text.slice(cursor), findings };
}
