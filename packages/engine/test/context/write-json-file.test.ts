import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonFile } from '../../src/context/cache/write-json-file.js';

/** JSON.stringify's text, with a Map written as the object of its entries. */
const stringified = (value: unknown) =>
  JSON.stringify(value, (_key, member: unknown) =>
    member instanceof Map ? Object.fromEntries(member) : member,
  );

describe('writeJsonFile', () => {
  const directory = mkdtempSync(join(tmpdir(), 'herd-json-'));
  const written = (value: unknown) => {
    const path = join(directory, 'value.json');
    writeJsonFile(path, value);
    return readFileSync(path, 'utf8');
  };

  it('writes what JSON.stringify writes, long arrays and maps a member at a time', () => {
    const perFile = Array.from({ length: 30_000 }, (_, index) => ({
      path: `packages/é"\\\n${index}.ts`,
      tokens: index,
      exact: index % 2 === 0,
      skipped: undefined,
      symbols: Array.from({ length: index % 100 }, (_, symbol) => `s${symbol}`),
    }));
    const stats = {
      root: '/r',
      when: new Date(0),
      perFile,
      holes: [1, undefined, () => 2, Symbol('s'), null, ...Array.from({ length: 70 }, (_, index) => index)],
      left: undefined,
      call: () => 1,
      deep: { deeper: { list: Array.from({ length: 80 }, (_, index) => ({ index })) } },
    };
    const entries = new Map<string, unknown>(perFile.slice(0, 5_000).map((file) => [file.path, file]));
    entries.set('gone', undefined);
    // A hole in a long array, and a Map inside a short one.
    const sparse: unknown[] = Array.from({ length: 70 }, (_, index) => index);
    delete sparse[3];
    const values = [
      stats,
      { version: 3, entries },
      perFile,
      sparse,
      [new Map([['k', 1]])],
      'text',
      42,
      null,
      [],
      {},
      new Map(),
    ];
    for (const value of values) expect(written(value)).toBe(stringified(value));
    // Past a megabyte, so the text went out in several parts.
    expect(written(stats).length).toBeGreaterThan(3_000_000);
  });
});
