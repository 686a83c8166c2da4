import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const files = {
  '.gitignore': 'dist/\n',
  'src/a.ts': 'export const answer = 42;\nconst other = "Answer";\n',
  'src/b.ts': 'function question() { return answer; }\n',
  'dist/a.js': 'answer\n',
  '.env': 'answer=secret\n',
  'bin/blob.bin': new Uint8Array([0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0, 0]),
  'docs/file:with:colons.md': 'the answer is here\n',
};

// A .herdignore below the root, with an unanchored folder rule, an anchored file rule and a file glob.
const nestedIgnoreFiles = {
  'local.txt': 'needle\n',
  'packages/app/.herdignore': 'generated/\n/local.txt\n*.snap\n',
  'packages/app/local.txt': 'needle\n',
  'packages/app/nested/local.txt': 'needle\n',
  'packages/app/keep.log': 'needle\n',
  'packages/app/src/main.ts': 'needle\n',
  'packages/app/src/generated/types.ts': 'needle\n',
  'packages/app/generated/schema.ts': 'needle\n',
  'packages/app/test/__snapshots__/main.snap': 'needle\n',
  'packages/lib/generated/kept.ts': 'needle\n',
};

const hasRipgrep = (await installedProgram('rg')) !== undefined;
if (!hasRipgrep)
  console.warn('Skipping the ripgrep search engine tests: rg is not installed (apt-get install -y ripgrep).');

describe.each([
  ['walker', true],
  ['ripgrep', hasRipgrep],
] as const)('search with the %s engine', (engine, available) => {
  it.skipIf(!available)('returns path:line matches, skipping ignored, binary and denied files', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'answer' } });
    expect(result.ok).toBe(true);
    expect(result.content.split('\n')).toEqual([
      'docs/file:with:colons.md:1: the answer is here',
      'src/a.ts:1: export const answer = 42;',
      'src/b.ts:1: function question() { return answer; }',
    ]);
  });

  it.skipIf(!available)('supports literal, case-insensitive and glob-limited searches', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    const literal = await dispatcher.dispatch({
      name: 'search',
      arguments: { pattern: 'question()', literal: true },
    });
    expect(literal.data).toMatchObject({ matches: [{ path: 'src/b.ts', line: 1 }] });
    const insensitive = await dispatcher.dispatch({
      name: 'search',
      arguments: { pattern: 'ANSWER', caseSensitive: false, glob: '**/a.ts' },
    });
    expect(insensitive.data).toMatchObject({ matches: [{ line: 1 }, { line: 2 }] });
  });

  it.skipIf(!available)(
    'hides matches ignored by a .herdignore in a subfolder, relative to that folder',
    async () => {
      const { root } = await createTemporaryWorkspace(nestedIgnoreFiles);
      const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
      const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } });
      expect(result.content.split('\n')).toEqual([
        'local.txt:1: needle',
        'packages/app/keep.log:1: needle',
        'packages/app/nested/local.txt:1: needle',
        'packages/app/src/main.ts:1: needle',
        'packages/lib/generated/kept.ts:1: needle',
      ]);
    },
  );

  it.skipIf(!available)('applies a subfolder .herdignore when the search starts at or below it', async () => {
    const { root } = await createTemporaryWorkspace(nestedIgnoreFiles);
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    const atFolder = await dispatcher.dispatch({
      name: 'search',
      arguments: { pattern: 'needle', path: 'packages/app' },
    });
    expect(atFolder.data).toMatchObject({
      matches: [
        { path: 'packages/app/keep.log' },
        { path: 'packages/app/nested/local.txt' },
        { path: 'packages/app/src/main.ts' },
      ],
    });
    const below = await dispatcher.dispatch({
      name: 'search',
      arguments: { pattern: 'needle', path: 'packages/app/generated' },
    });
    expect(below.content).toBe("No match for 'needle'.");
  });

  it.skipIf(!available)(
    'does not let a subfolder rule bring back a file a parent ignore file hides',
    async () => {
      const { root } = await createTemporaryWorkspace({
        '.gitignore': '*.log\n',
        'sub/.gitignore': '!kept.log\n',
        'sub/kept.log': 'needle\n',
        'sub/seen.txt': 'needle\n',
      });
      const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
      const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } });
      expect(result.content).toBe('sub/seen.txt:1: needle');
    },
  );

  it.skipIf(!available)('honors neither ignore files above the workspace nor .ignore files', async () => {
    const { root, parent } = await createTemporaryWorkspace({
      'found.txt': 'needle\n',
      'sub/.ignore': '*\n',
      'sub/also.txt': 'needle\n',
    });
    await writeFile(path.join(parent, '.gitignore'), '*\n');
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } });
    expect(result.content.split('\n')).toEqual(['found.txt:1: needle', 'sub/also.txt:1: needle']);
  });

  it.skipIf(!available)('caps results and says so', async () => {
    const { root } = await createTemporaryWorkspace({ 'many.txt': 'hit\n'.repeat(500) });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    const result = await dispatcher.dispatch({
      name: 'search',
      arguments: { pattern: 'hit', maxResults: 5 },
    });
    expect(result.data).toMatchObject({ truncated: true });
    expect((result.data as { matches: unknown[] }).matches).toHaveLength(5);
    expect(result.content).toContain('stopped at 5 matches');
  });
});

describe('search', () => {
  it('explains an invalid regular expression', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'foo(' } });
    expect(result.error?.code).toBe('invalid_pattern');
    expect(result.error?.message).toContain('literal: true');
  });
});

// The description promises ripgrep's (RE2) syntax, but patterns were checked with JavaScript's RegExp first:
// `(?i)`, POSIX classes, `\pL` and `(?P<name>…)` were refused by both engines, and a pattern past RE2's repeat
// limit ran for seconds in ripgrep while the walker refused it.
describe.each([
  ['walker', true],
  ['ripgrep', hasRipgrep],
] as const)('pattern syntax with the %s engine', (engine, available) => {
  const lines = 'Hello World\nfoo bar\nAnswer 😀\n';
  it.skipIf(!available)(
    'takes RE2 syntax and the JavaScript forms it translates, alike in both engines',
    async () => {
      const { root } = await createTemporaryWorkspace({ 'a.txt': lines });
      const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
      for (const [pattern, line] of [
        ['(?i)WORLD', 1],
        ['[[:upper:]]orld', 1],
        ['\\pL+ bar', 2],
        ['(?P<first>foo) bar', 2],
        ['(?<first>foo) bar', 2],
        ['\\x{41}nswer', 3],
        ['\\u0041nswer \\u{1F600}', 3],
      ] as const) {
        const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern } });
        expect({ pattern, result }).toMatchObject({
          pattern,
          result: { ok: true, data: { engine, matches: [{ path: 'a.txt', line }] } },
        });
      }
    },
  );

  it.skipIf(!available)('refuses what RE2 refuses, with the same error in both engines', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': lines });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
    for (const pattern of ['((a{100}){100}){100}', '(?<=foo) bar', '(o)\\1', 'foo(']) {
      const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern } });
      expect({ pattern, result }).toMatchObject({
        pattern,
        result: { ok: false, error: { code: 'invalid_pattern' } },
      });
      expect(result.error?.message).toContain('literal: true');
    }
  });
});
