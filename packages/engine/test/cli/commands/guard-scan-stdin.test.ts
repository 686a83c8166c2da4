import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin } from '../../../../../test/cli/herd-cli.js';

beforeAll(assertBuilt);

/** Runs the built `herd guard scan -` with standard input read from `input`. */
async function scanStandardInput(input: number): Promise<{ code: number | null; stderr: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'herd-guard-stdin-'));
  const child = spawn(process.execPath, [herdBin, 'guard', 'scan', '-', '--no-cache', '--no-audit'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: [input, 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

describe('herd guard scan - (standard input)', () => {
  it('stops reading /dev/zero at the 2 MiB file limit and says so, instead of reading without end', async () => {
    const { code, stderr } = await scanStandardInput(openSync('/dev/zero', 'r'));
    expect(code).toBe(3);
    expect(stderr).toContain('Standard input is larger than 2 MiB');
  }, 60_000);
});
