import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../engine/fixture-repository.js';
import { assertBuilt, herdBin } from './herd-cli.js';

beforeAll(assertBuilt);

describe('herd pack with few file descriptors (subprocess)', () => {
  it('reads every file of a large repository under `ulimit -n 48`, leaving none out as unreadable', async () => {
    // Enough files for the reading worker, which holds a batch of them open at once.
    const files = Object.fromEntries(
      Array.from({ length: 2_200 }, (_, index) => [
        `src/module-${String(index).padStart(4, '0')}.ts`,
        `export const value${index} = ${index};\n`,
      ]),
    );
    const workspace = createFailingTestRepository(files);
    const out = join(workspace, 'packed.txt');
    const { stdout } = await promisify(execFile)(
      'sh',
      [
        '-c',
        'ulimit -n 48 && exec "$0" "$@"',
        process.execPath,
        herdBin,
        'pack',
        '--budget',
        '1000000000',
        '--json',
        '--out',
        out,
      ],
      { cwd: workspace, maxBuffer: 64 * 1024 * 1024 },
    );
    const stats = JSON.parse(stdout) as {
      files: { included: number };
      excluded: { path: string; reason: string }[];
    };
    expect(stats.excluded.filter((file) => file.reason === 'unreadable')).toEqual([]);
    expect(stats.files.included).toBeGreaterThanOrEqual(2_200);
    expect(readFileSync(out, 'utf8')).toContain('export const value2199 = 2199;');
  });
});
