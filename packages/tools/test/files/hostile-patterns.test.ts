import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

/** Runs `work` while counting turns of the event loop, which a regex stuck on the loop would stop. */
const countingLoopTurns = async <T>(work: () => Promise<T>) => {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns += 1;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return { result: await work(), turns: () => turns };
  } finally {
    running = false;
  }
};

// Without ripgrep, search used to run the model's pattern with JavaScript's backtracking engine on the event
// loop: `(a+)+$` against a line of 40 a's and one other character takes 2^40 steps and froze the server.
describe('model-supplied patterns and globs without ripgrep', () => {
  it('answers `(a+)+$` over lines of a’s at once, and the event loop keeps turning', async () => {
    const line = `${'a'.repeat(40)}!\n`;
    const { root } = await createTemporaryWorkspace({ 'as.txt': line.repeat(200), 'b.txt': 'aaaa\n' });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: 'walker' });
    const { result, turns } = await countingLoopTurns(() =>
      dispatcher.dispatch({ name: 'search', arguments: { pattern: '(a+)+$' } }),
    );
    expect(result).toMatchObject({
      ok: true,
      data: { engine: 'walker', matches: [{ path: 'b.txt', line: 1 }] },
    });
    expect(turns()).toBeGreaterThan(0);
  });

  it('answers a glob built to backtrack (`*a*a*…*b`) against a long name at once', async () => {
    const name = `${'a'.repeat(200)}.txt`;
    const { root } = await createTemporaryWorkspace({ [name]: 'needle\n', 'ab.txt': 'needle\n' });
    const glob = `${'*a'.repeat(12)}*b`;
    const { dispatcher } = await fileToolsFor(root, { searchEngine: 'walker' });
    const found = await dispatcher.dispatch({ name: 'glob', arguments: { pattern: glob } });
    expect(found).toMatchObject({ ok: true, data: { paths: [] } });
    const searched = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle', glob } });
    expect(searched).toMatchObject({ ok: true, data: { matches: [] } });
  });

  it('refuses lookaround and backreferences, which no linear-time engine matches, naming the fix', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'foobar\n' });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: 'walker' });
    for (const pattern of ['foo(?=bar)', '(o)\\1']) {
      const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern } });
      expect(result.error?.code).toBe('invalid_pattern');
      expect(result.error?.message).toContain('literal: true');
    }
    const glob = await dispatcher.dispatch({ name: 'glob', arguments: { pattern: '!(a).txt' } });
    expect(glob.error?.code).toBe('invalid_glob');
  });

  it('keeps JavaScript pattern syntax and the usual globs working', async () => {
    const { root } = await createTemporaryWorkspace({
      'src/a.ts': 'const Answer = "\u00e9t\u00e9";\n',
      'src/b.test.ts': 'x\n',
      'docs/c.md': 'y\n',
    });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: 'walker' });
    const search = (pattern: string, extra: Record<string, unknown> = {}) =>
      dispatcher.dispatch({ name: 'search', arguments: { pattern, ...extra } });
    expect((await search('(?<name>answer)', { caseSensitive: false })).data).toMatchObject({
      matches: [{ path: 'src/a.ts', line: 1 }],
    });
    expect((await search('\\u{e9}t\\u00e9')).data).toMatchObject({ matches: [{ path: 'src/a.ts' }] });
    expect((await search('"[^"]+"', { glob: '*.ts' })).data).toMatchObject({
      matches: [{ path: 'src/a.ts' }],
    });
    const glob = async (pattern: string) =>
      ((await dispatcher.dispatch({ name: 'glob', arguments: { pattern } })).data as { paths: string[] })
        .paths;
    expect(await glob('src/**/*.ts')).toEqual(['src/a.ts', 'src/b.test.ts']);
    expect(await glob('**/*.{md,test.ts}')).toEqual(['docs/c.md', 'src/b.test.ts']);
    expect(await glob('*')).toEqual([]);
    await writeFile(path.join(root, 'top.md'), 'z\n');
    expect(await glob('*')).toEqual(['top.md']);
  });
});
