/** How a language writes comments and strings, as far as finding its header comments needs. */
interface Syntax {
  /** Line comment openers. */
  line: readonly string[];
  /** Block comment openers and closers. */
  block: readonly (readonly [string, string])[];
  /** String quotes that end at the end of a line at the latest. */
  quotes: string;
  /** String quotes that may span lines (template literals, Go raw strings, Python triple quotes). */
  longQuotes: readonly string[];
}

const cLike: Syntax = { line: ['//'], block: [['/*', '*/']], quotes: `'"`, longQuotes: ['`'] };
const hash: Syntax = { line: ['#'], block: [], quotes: `'"`, longQuotes: [] };
const markup: Syntax = { line: [], block: [['<!--', '-->']], quotes: '', longQuotes: [] };
const syntaxByLanguage: Record<string, Syntax> = {
  typescript: cLike,
  tsx: cLike,
  javascript: cLike,
  go: cLike,
  rust: { ...cLike, quotes: '"', longQuotes: [] },
  java: cLike,
  c: cLike,
  cpp: cLike,
  csharp: cLike,
  kotlin: cLike,
  swift: cLike,
  scala: cLike,
  protobuf: cLike,
  json: cLike,
  scss: cLike,
  less: cLike,
  css: { line: [], block: [['/*', '*/']], quotes: `'"`, longQuotes: [] },
  php: { ...cLike, line: ['//', '#'] },
  python: { ...hash, longQuotes: ['"""', "'''"] },
  ruby: hash,
  shell: hash,
  yaml: hash,
  toml: hash,
  makefile: hash,
  dockerfile: hash,
  cmake: hash,
  graphql: hash,
  sql: { line: ['--'], block: [['/*', '*/']], quotes: `'"`, longQuotes: [] },
  html: markup,
  xml: markup,
  markdown: markup,
  vue: { ...cLike, block: [...cLike.block, ['<!--', '-->']] },
  svelte: { ...cLike, block: [...cLike.block, ['<!--', '-->']] },
};
// Any other file: every common comment style; double-quoted text, to the end of its line at most, is a string
// (a single quote is as likely an apostrophe in prose).
const anything: Syntax = {
  line: ['//', '#', '--', ';'],
  block: [
    ['/*', '*/'],
    ['<!--', '-->'],
  ],
  quotes: '"',
  longQuotes: [],
};

/**
 * The text of the comments that begin within the first `head` characters of a file (read to their end, or to
 * twice `head`), skipping string literals: what a "generated file" marker must be in. A marker inside a string,
 * as in a script that writes a generated file's header, is not in a comment and so not found.
 */
export function headerComments(options: { text: string; language: string; head?: number }): string {
  const { text } = options;
  const head = Math.min(text.length, options.head ?? 1024);
  const end = Math.min(text.length, head * 2);
  const syntax = syntaxByLanguage[options.language] ?? anything;
  const comments: string[] = [];
  let index = 0;
  const startsWith = (token: string) => text.startsWith(token, index);
  scan: while (index < head) {
    for (const opener of syntax.line) {
      if (!startsWith(opener)) continue;
      const close = text.indexOf('\n', index);
      const stop = close === -1 || close > end ? end : close;
      comments.push(text.slice(index + opener.length, stop));
      index = stop;
      continue scan;
    }
    for (const [opener, closer] of syntax.block) {
      if (!startsWith(opener)) continue;
      const close = text.indexOf(closer, index + opener.length);
      const stop = close === -1 || close > end ? end : close;
      comments.push(text.slice(index + opener.length, stop));
      index = stop + closer.length;
      continue scan;
    }
    for (const quote of syntax.longQuotes) {
      if (!startsWith(quote)) continue;
      index = skipString({ text, from: index + quote.length, quote, end, multiline: true });
      continue scan;
    }
    const character = text[index]!;
    if (syntax.quotes.includes(character)) {
      index = skipString({ text, from: index + 1, quote: character, end, multiline: false });
      continue;
    }
    index++;
  }
  return comments.join('\n');
}

/** The position after a string literal that started before `from`, or `end` when it runs past it. */
function skipString(options: {
  text: string;
  from: number;
  quote: string;
  end: number;
  multiline: boolean;
}): number {
  const { text, quote, end } = options;
  for (let index = options.from; index < end; index++) {
    const character = text[index];
    if (character === '\\') {
      index++;
      continue;
    }
    if (character === '\n' && !options.multiline) return index;
    if (text.startsWith(quote, index)) return index + quote.length;
  }
  return end;
}
