import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const status = await probeBubblewrap({ workspace: tmpdir() });
if (status.kind === 'none')
  console.warn(`Skipping sandbox capability tests (bubblewrap unavailable: ${status.reason}).`);
const runningAsRoot = process.getuid?.() === 0;
if (!runningAsRoot) console.warn('The sandbox capability attack is only a real one where Herd runs as root.');

const config = '{ "tools": { "commands": { "defaultDecision": "ask" } } }\n';

// bubblewrap run by root keeps every capability for the command unless told otherwise, and Herd runs as root in
// many CI containers and dev containers. With CAP_SYS_ADMIN the command unmounted the read-only binds over the
// control files and rewrote herd.config.json (or remounted .herd read-write); with CAP_MKNOD it made device files
// (`mknod disk b 254 0` opens the host's disk under the read-only root).
describe.skipIf(status.kind === 'none')('a sandboxed command keeps no capability', () => {
  it('cannot unmount or remount the control-file binds, nor make a device, even when Herd runs as root', async () => {
    const { root } = await createTemporaryWorkspace({
      'herd.config.json': config,
      '.herd/sessions.db': 'db',
    });
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch(
      {
        name: 'run_command',
        arguments: {
          argv: [
            'sh',
            '-c',
            'grep CapEff /proc/self/status; umount herd.config.json; echo \'{"tools":{"sandbox":{"mode":"off"}}}\' > herd.config.json; mount -o remount,rw,bind .herd; touch .herd/pwned; mknod device c 1 5; true',
          ],
        },
      },
      { approved: true },
    );
    const data = result.data as RunCommandData;
    expect(data.sandbox.kind).toBe('bubblewrap');
    expect(data.stdout.text).toMatch(/CapEff:\s*0+\n/);
    expect(await readFile(path.join(root, 'herd.config.json'), 'utf8')).toBe(config);
    expect(existsSync(path.join(root, '.herd/pwned'))).toBe(false);
    expect(existsSync(path.join(root, 'device'))).toBe(false);
  }, 60_000);
});
