import { secretPatterns } from './secret-patterns.js';

/** Where one secret was found (1-based line) and by which rule; never the secret. */
export interface SecretFinding {
  /** 1-based line where the secret starts. */
  line: number;
  /** The rule that matched. */
  rule: string;
}

/** A text with its secrets replaced by markers. */
export interface RedactedText {
  /** The text with each secret replaced by `[REDACTED:<rule>]`. */
  text: string;
  /** Where secrets were found, in order. */
  findings: SecretFinding[];
}

const quickCheck =
  /PRIVATE KEY-----|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|_live_|AIza|T3BlbkFJ|sk-ant-|npm_/;

/** Replaces every secret that a built-in pattern finds with a marker and reports where it was. */
export function redactSecrets(text: string): RedactedText {
  if (!quickCheck.test(text)) return { text, findings: [] };
  const matches: { start: number; end: number; rule: string }[] = [];
  for (const { rule, pattern } of secretPatterns) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      matches.push({ start: match.index, end: match.index + match[0].length, rule });
    }
  }
  if (matches.length === 0) return { text, findings: [] };
  matches.sort((left, right) => left.start - right.start);
  let output = '';
  let cursor = 0;
  let line = 1;
  let counted = 0;
  const findings: SecretFinding[] = [];
  for (const match of matches) {
    if (match.start < cursor) continue;
    for (
      let index = text.indexOf('\n', counted);
      index !== -1 && index < match.start;
      index = text.indexOf('\n', index + 1)
    ) {
      line++;
    }
    counted = match.start;
    findings.push({ line, rule: match.rule });
    output += `${text.slice(cursor, match.start)}[REDACTED:${match.rule}]`;
    cursor = match.end;
  }
  return { text: output + text.slice(cursor), findings };
}
