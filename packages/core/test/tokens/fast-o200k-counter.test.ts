import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFastO200kCounter } from '../../src/tokens/fast-o200k-counter.js';

const require = createRequire(import.meta.url);
const tokenizer = require('gpt-tokenizer/encoding/o200k_base') as {
  countTokens(text: string, options: object): number;
};
const reference = (text: string) => tokenizer.countTokens(text, { disallowedSpecial: new Set() });

/** Every text file under `directory` up to `limit` files, in a stable order. */
function textFiles(directory: string, limit: number): string[] {
  const texts: string[] = [];
  const visit = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      if (texts.length >= limit) return;
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else if (/\.(ts|js|cjs|mjs|md|json)$/.test(name)) texts.push(readFileSync(child, 'utf8'));
    }
  };
  visit(directory);
  return texts;
}

const tricky = [
  '',
  'a',
  "It's, they're, we'VE, I'M, you'll, she'd, don'T: 'sfoo 'll'd",
  'camelCaseWord HTTPServer XMLHttpRequest ABC abc Abc aBC',
  '1 12 123 1234 1234567 v1.2.3 0x1F 3.14159',
  '  leading spaces\n\n\n   \ttrailing spaces   \n',
  'windows\r\nline\r\n\r\nendings \r\n  \r\n',
  '// comment\n/* block */\n/// slashes //\n}\n/path/to/file\n\t\tindented();\n',
  'a  b   c    d\t\te\u000bf\u000cg   ',
  '<|endoftext|> <|fim_prefix|> plain',
  '   ',
  ' !== ?? ?. => ... ;;\n;\n',
  'naïve café — “quotes” 中文 русский 😀\nplain line\nnext line 123\n',
  `${'x = 1;\n'.repeat(200)}ünïcödé\n${'y = 2;\n'.repeat(200)}`,
  '\u0000\u0001\u001f\u007f control',
  "' 's 'S 're",
];

describe('createFastO200kCounter', () => {
  it('counts exactly what gpt-tokenizer counts on edge cases of the o200k split', () => {
    const counter = createFastO200kCounter();
    for (const text of tricky)
      expect({ text, count: counter.count(text) }).toEqual({ text, count: reference(text) });
  });

  it('counts exactly what gpt-tokenizer counts on real source, declaration, Markdown and JSON files', () => {
    const counter = createFastO200kCounter();
    const root = dirname(require.resolve('zod/package.json'));
    const texts = textFiles(root, 400);
    expect(texts.length).toBeGreaterThan(100);
    const mismatches = texts.filter((text) => counter.count(text) !== reference(text));
    expect(mismatches).toEqual([]);
  });

  it('counts exactly what gpt-tokenizer counts on lines mixing ASCII and other scripts', () => {
    const counter = createFastO200kCounter();
    const parts = [
      '\n',
      '\r\n',
      '/',
      '//',
      ' ',
      '  ',
      '\t',
      'word',
      'Word',
      "'s",
      '123',
      '4',
      ';',
      '=>',
      '{',
      'é',
      'ß',
      '中文',
      'Ж',
      '😀',
      '\u0301',
      '\u00a0',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...parts), { maxLength: 60 }), (chosen) => {
        const text = chosen.join('');
        expect(counter.count(text)).toBe(reference(text));
      }),
      { numRuns: 500 },
    );
  });
});
