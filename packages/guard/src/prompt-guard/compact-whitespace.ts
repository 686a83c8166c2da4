import type { Tokenizer } from '@huggingface/tokenizers';

const whitespace = /\s/u;

/**
 * LlamaFirewall's preprocessing for Prompt Guard: removes every whitespace character, tokenizes the compacted
 * text, then puts back one space before each token that started after whitespace in the original. Spaces
 * inserted inside words (`i g n o r e`) therefore disappear. When the tokenizer's pieces cannot be aligned with
 * the text (normalizers that change characters), the raw text is returned, as LlamaFirewall does on error.
 */
export function compactWhitespace(text: string, tokenizer: Tokenizer): string {
  const characters = Array.from(text);
  let compacted = '';
  const precededBySpace: boolean[] = [];
  let sawSpace = false;
  for (const character of characters) {
    if (whitespace.test(character)) {
      sawSpace = true;
      continue;
    }
    for (let unit = 0; unit < character.length; unit++) precededBySpace.push(unit === 0 && sawSpace);
    compacted += character;
    sawSpace = false;
  }
  const pieces = tokenizer.tokenize(compacted);
  let cursor = 0;
  let rebuilt = '';
  for (const piece of pieces) {
    const surface = piece.replace(/^(▁|Ġ|##)/u, '');
    if (surface.length === 0) continue;
    if (compacted.startsWith(surface, cursor)) {
      rebuilt += (precededBySpace[cursor] && rebuilt.length > 0 ? ' ' : '') + surface;
      cursor += surface.length;
    } else if (compacted.toLowerCase().startsWith(surface.toLowerCase(), cursor)) {
      const original = compacted.slice(cursor, cursor + surface.length);
      rebuilt += (precededBySpace[cursor] && rebuilt.length > 0 ? ' ' : '') + original;
      cursor += surface.length;
    } else {
      return text;
    }
  }
  return cursor === compacted.length ? rebuilt : text;
}
