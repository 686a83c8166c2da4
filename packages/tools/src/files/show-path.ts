/**
 * Whether a character could let a file name break a line of tool output (line breaks, other control characters)
 * or make one name read as another (direction marks, overrides and isolates).
 */
const isUnsafe = (code: number): boolean =>
  code <= 0x1f ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/**
 * A workspace-relative path as tool output shows it: as it is, or as a JSON string (`"a\nb.txt"`) when it holds
 * a line break, another control character or a direction override, or starts with a quote. A file named
 * `x\nfake.ts` then cannot pass for two entries of a listing, and the model can still name it: the JSON string
 * is what it passes back.
 */
export function showPath(relative: string): string {
  const characters = [...relative];
  if (!relative.startsWith('"') && !characters.some((character) => isUnsafe(character.codePointAt(0)!))) {
    return relative;
  }
  // JSON.stringify escapes quotes, backslashes and C0 controls; the rest are escaped here.
  return [...JSON.stringify(relative)]
    .map((character) => {
      const code = character.codePointAt(0)!;
      return isUnsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : character;
    })
    .join('');
}
