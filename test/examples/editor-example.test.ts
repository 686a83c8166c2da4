import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exampleClient = fileURLToPath(new URL('../../examples/editor/acp-client.mjs', import.meta.url));
const run = promisify(execFile);

// The example client's conversation with `herd acp` is tested in packages/engine/test/acp/editor-example.test.ts,
// and with an installed herd on PATH in test/cli/install-from-tarballs.test.ts.
describe('examples/editor/acp-client.mjs without herd on PATH', () => {
  it('says in one line that herd is not on PATH and how to install it, with no stack trace', async () => {
    // A PATH that holds nothing, so no herd installed on this machine is found.
    const emptyPath = mkdtempSync(join(tmpdir(), 'herd-empty-path-'));
    try {
      const failure = await run(process.execPath, [exampleClient, 'fix the typo'], {
        env: { PATH: emptyPath, HOME: process.env.HOME },
      }).then(
        () => expect.fail('the client should have failed'),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure.code).toBe(127);
      expect(failure.stderr.trim().split('\n')).toEqual([
        'herd is not on PATH: install it from a Herd clone with `pnpm release:pack` and `npm install -g ./dist-tarballs/*.tgz` (its README, "Install"), or pass --herd "node path/to/herd/packages/engine/bin/herd.js".',
      ]);
      expect(failure.stdout).toBe('');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
