import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

/** The built @herd/core: the launcher's program must be found from the built package too. */
const builtCore = fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url));

const directory = mkdtempSync(join(tmpdir(), 'herd-launcher-life-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * A Node.js process standing for Herd: it starts one program through a launcher (`finish`: one that prints the
 * launcher's pid; `hang`: one that writes the launcher's and its own pid to a file and sleeps) and has nothing else
 * to do.
 */
const herdStandIn = join(directory, 'herd-stand-in.mjs');
writeFileSync(
  herdStandIn,
  `import { HostLauncher } from ${JSON.stringify(pathToFileURL(builtCore).href)};
const [mode, file] = process.argv.slice(2);
const launcher = new HostLauncher({ directStarts: 0 });
const script = mode === 'finish' ? 'echo $PPID' : 'echo $PPID $$ > ' + file + '; exec sleep 600';
const shown = await launcher.run({ executable: '/bin/sh', args: ['-c', script], cwd: ${JSON.stringify(directory)}, env: {}, maxBuffer: 1024 });
process.stdout.write(shown.stdout);
`,
);

const standIns: ChildProcess[] = [];
// A stand-in left running by a failed test is stopped, and with it its launcher.
afterEach(() => {
  for (const child of standIns.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the stand-in; resolves with its exit and what it printed once it has ended. */
function startStandIn(mode: 'finish' | 'hang', file = '') {
  const child = spawn(process.execPath, [herdStandIn, mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  standIns.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const ended = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, ended };
}

/** Whether a process is still running (a zombie waiting to be reaped has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the launcher that starts host programs for Herd', () => {
  beforeAll(() => {
    if (!existsSync(builtCore))
      throw new Error(`${builtCore} is missing: run \`pnpm build\` before these tests.`);
  });

  it('does not keep Herd running: Herd exits when its work is done, then the launcher', async () => {
    const { ended } = startStandIn('finish');
    // Without the launcher unreferenced, the stand-in would never exit and this would time out.
    const { code, stdout, stderr } = await ended;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const launcherPid = Number(stdout);
    expect(launcherPid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(running(launcherPid)).toBe(false), { timeout: 20_000 });
  });

  it('exits when Herd is killed, and stops the program it was running', async () => {
    const file = join(directory, 'pids');
    const { child, ended } = startStandIn('hang', file);
    await vi.waitFor(() => expect(existsSync(file) && readFileSync(file, 'utf8').endsWith('\n')).toBe(true), {
      timeout: 20_000,
    });
    const [launcherPid, programPid] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
    expect(running(launcherPid!) && running(programPid!)).toBe(true);
    child.kill('SIGKILL');
    expect((await ended).signal).toBe('SIGKILL');
    await vi.waitFor(() => expect([running(launcherPid!), running(programPid!)]).toEqual([false, false]), {
      timeout: 20_000,
    });
  });
});
