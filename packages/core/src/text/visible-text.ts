/**
 * Characters a person cannot see as themselves: C0 and C1 controls (a terminal obeys `ESC [` sequences and `\r`,
 * which can rewrite a line already printed), the soft hyphen, and the invisible formatting characters that hide or
 * reorder text (zero-width characters, bidirectional overrides and isolates, line and paragraph separators, BOM).
 */
const invisible =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** The escape that shows one invisible character: `\n`, `\t`, `\r`, `\x1b`, `\u202e`. */
export function escapeInvisible(character: string): string {
  if (character === '\n') return '\\n';
  if (character === '\t') return '\\t';
  if (character === '\r') return '\\r';
  const code = character.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether `text` holds a character a person would not see as itself (see {@link visibleText}). */
export function hasInvisible(text: string): boolean {
  invisible.lastIndex = 0;
  return invisible.test(text);
}

/**
 * `text` with every character a person would not see as itself written as its escape (`\x1b`, `\r`, `\u202e`), so
 * a model's words shown in a question or on a terminal cannot move the cursor, erase or recolour what is shown, or
 * reorder it. With `keepNewlines`, line breaks stay line breaks (for multi-line details).
 */
export function visibleText(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(invisible, (character) =>
    options.keepNewlines && character === '\n' ? character : escapeInvisible(character),
  );
}
