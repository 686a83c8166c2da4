import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin, spawnHerd, writeTestConfig } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixPlan } from '../engine/fixture-repository.js';

const server = useScriptedServer();
beforeAll(assertBuilt);

const hasScript = (() => {
  try {
    return spawn('script', ['--version']).pid !== undefined;
  } catch {
    return false;
  }
})();

describe('herd run at a terminal approval prompt', () => {
  it.skipIf(!hasScript)(
    'exits 130 on SIGTERM while the question is open, and the session can be resumed',
    async () => {
      const workspace = createFailingTestRepository();
      writeTestConfig(workspace, server.url);
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      // util-linux `script` gives herd a real terminal, so it asks at the prompt instead of stopping with exit 2.
      const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
      const child = spawn(
        'script',
        ['-qec', `${quoted(process.execPath)} ${quoted(herdBin)} run 'make the test pass'`, '/dev/null'],
        {
          cwd: workspace,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'dumb' },
          stdio: 'pipe',
        },
      );
      let screen = '';
      const prompted = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          screen += chunk.toString('utf8');
          if (screen.includes('[y]es / [a]lways / [n]o')) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await prompted;
      const holder = JSON.parse(readFileSync(join(workspace, '.herd', 'run.lock'), 'utf8')) as {
        pid: number;
        sessionId: string;
      };
      process.kill(holder.pid, 'SIGTERM');

      expect(await exited).toBe(130);
      expect(screen).toContain(`herd resume ${holder.sessionId}`);
      // Resumed without a terminal, the question is asked again: it stays pending (exit 2), the session intact.
      const resumed = spawnHerd({ args: ['resume', holder.sessionId], cwd: workspace });
      expect(await resumed.exit).toBe(2);
      expect(resumed.stderr()).toContain('waiting for approval');
    },
    120_000,
  );
});
