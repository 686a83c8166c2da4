import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../engine/fixture-repository.js';
import { assertBuilt, type HerdProcess, spawnHerd } from './herd-cli.js';

beforeAll(assertBuilt);
const running: HerdProcess[] = [];
afterEach(() => {
  // On the old code a FIFO kept the process blocked for ever; never leave one behind.
  for (const herd of running.splice(0)) herd.child.kill('SIGKILL');
});

const env = () => ({ XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) });

function herd(args: string[], cwd: string): HerdProcess {
  const started = spawnHerd({ args, cwd, env: env() });
  running.push(started);
  return started;
}

const mkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a hostile herd.config.json, as a sandboxed command can create one (subprocess)', () => {
  it.skipIf(!mkfifo)(
    'a FIFO is refused at once by config check and by plan instead of blocking for ever',
    async () => {
      const workspace = createFailingTestRepository();
      execFileSync('mkfifo', [join(workspace, 'herd.config.json')]);
      for (const args of [
        ['config', 'check'],
        ['plan', 'anything'],
      ]) {
        const started = herd(args, workspace);
        expect(await started.exit).toBe(3);
        expect(started.stderr()).toContain('is not a regular file (a FIFO, socket or device');
      }
    },
  );

  it('a symbolic link to /dev/zero is refused instead of read without end', async () => {
    const workspace = createFailingTestRepository();
    symlinkSync('/dev/zero', join(workspace, 'herd.config.json'));
    const started = herd(['config', 'check'], workspace);
    expect(await started.exit).toBe(3);
    expect(started.stderr()).toContain('is not a regular file');
  });

  it('100,000 nested arrays are a configuration error (exit 3), not a stack overflow (exit 70)', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(
      join(workspace, 'herd.config.json'),
      `{"run": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    const started = herd(['config', 'check'], workspace);
    expect(await started.exit).toBe(3);
    expect(started.stderr()).toContain('nests arrays or objects more than 64 levels deep');
    expect(started.stderr()).not.toMatch(/\n\s+at /);
  });
});
