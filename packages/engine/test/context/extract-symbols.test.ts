import { describe, expect, it } from 'vitest';
import { createSymbolExtractor } from '../../src/context/map/extract-symbols.js';

const samples: Record<string, [string, string[]]> = {
  typescript: [
    'import x from "y";\nexport function parse(input: string): Node {\n  return x;\n}\nexport class Parser<T> {\n  next(): T { return 1 as T; }\n}\ntype Alias = string;\n',
    [
      'export function parse(input: string): Node',
      'export class Parser<T>',
      '  next(): T',
      'type Alias = string;',
    ],
  ],
  python: [
    'import os\n\ndef load(path: str) -> bytes:\n    return b""\n\nclass Store:\n    def get(self, key):\n        pass\n',
    ['def load(path: str) -> bytes:', 'class Store:', '  def get(self, key):'],
  ],
  go: [
    'package main\n\nfunc Serve(port int) error {\n\treturn nil\n}\n\ntype Server struct {\n\tport int\n}\n',
    ['func Serve(port int) error', 'type Server struct {'],
  ],
  rust: [
    'pub fn run(args: &[String]) -> i32 {\n    0\n}\npub struct Config {\n    verbose: bool,\n}\nimpl Config {\n    pub fn new() -> Self { Config { verbose: false } }\n}\n',
    ['pub fn run(args: &[String]) -> i32', 'pub struct Config', 'impl Config', '  pub fn new() -> Self'],
  ],
  java: [
    'package a;\n\npublic class Greeter {\n  public String greet(String name) { return name; }\n}\n',
    ['public class Greeter', '  public String greet(String name)'],
  ],
  c: [
    '#include <stdio.h>\nint add(int a, int b) {\n  return a + b;\n}\nstruct point { int x; };\n',
    ['int add(int a, int b)', 'struct point'],
  ],
};

describe('createSymbolExtractor', () => {
  for (const [language, [source, expected]] of Object.entries(samples)) {
    it(`lists the top-level symbols of ${language}`, async () => {
      const extractor = await createSymbolExtractor({ languages: [language] });
      expect(extractor.extract({ language, text: source })).toEqual(expected);
    });
  }

  it('falls back to headings for Markdown and to nothing for unknown languages', async () => {
    const extractor = await createSymbolExtractor({ languages: ['markdown', 'cobol'] });
    expect(extractor.extract({ language: 'markdown', text: '# Title\ntext\n## Part\n' })).toEqual([
      '# Title',
      '## Part',
    ]);
    expect(extractor.extract({ language: 'cobol', text: 'IDENTIFICATION DIVISION.' })).toEqual([]);
  });
});
