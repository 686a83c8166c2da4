import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HerdError, HostLauncher } from '../../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'herd-launch-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Whether a process is still running (a zombie waiting to be reaped has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves with the text a started program wrote to `file`, once it has. */
async function written(file: string): Promise<string> {
  await vi.waitFor(() => expect(existsSync(file) && readFileSync(file, 'utf8').endsWith('\n')).toBe(true), {
    timeout: 20_000,
  });
  return readFileSync(file, 'utf8').trim();
}

const launchers: HostLauncher[] = [];
afterEach(() => {
  for (const launcher of launchers.splice(0)) launcher.close();
});

/** A launcher of its own for a test: programs started from this process, or all through a launcher process. */
function hostLauncher(route: 'direct' | 'launcher'): HostLauncher {
  const launcher = new HostLauncher({ directStarts: route === 'direct' ? Number.POSITIVE_INFINITY : 0 });
  launchers.push(launcher);
  return launcher;
}

const request = { cwd: directory, env: {}, maxBuffer: 1024 * 1024 };

// The same behaviour whether the program is started from Herd's own process (the first few a process starts) or by
// the launcher: what the caller gets does not depend on the route.
describe.each(['direct', 'launcher'] as const)('a program Herd starts on the host (%s)', (route) => {
  it('runs with exactly the environment it is given and returns its exit code and output as bytes', async () => {
    const launcher = hostLauncher(route);
    const result = await launcher.run({
      ...request,
      executable: '/usr/bin/env',
      args: [],
      env: { ONLY: 'this' },
    });
    expect(result).toEqual({
      exitCode: 0,
      signal: null,
      stdout: Buffer.from('ONLY=this\n'),
      stderr: Buffer.from(''),
    });
  });

  it('returns a non-zero exit code and stderr as a result, not an error', async () => {
    const launcher = hostLauncher(route);
    const result = await launcher.run({
      ...request,
      executable: '/bin/sh',
      args: ['-c', 'echo no >&2; exit 3'],
    });
    expect(result.exitCode).toBe(3);
    expect(result.stderr.toString()).toBe('no\n');
  });

  it('writes the input it is given to stdin', async () => {
    const launcher = hostLauncher(route);
    const patch = Buffer.from('--- a/x\n+++ b/x\n');
    const result = await launcher.run({ ...request, executable: '/bin/cat', args: [], input: patch });
    expect(result.stdout).toEqual(patch);
  });

  it('returns large output whole and in order', async () => {
    const launcher = hostLauncher(route);
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const file = join(directory, `large-${route}`);
    writeFileSync(file, content);
    const result = await launcher.run({
      ...request,
      executable: '/bin/cat',
      args: [file],
      maxBuffer: 4 << 20,
    });
    expect(result.stdout.equals(content)).toBe(true);
  });

  it('stops a program that prints more than maxBuffer on stdout or stderr with host_output_too_large', async () => {
    const launcher = hostLauncher(route);
    // `yes` never ends by itself: the call returns only because it was stopped.
    const endless = launcher.run({ ...request, executable: '/usr/bin/yes', args: [], maxBuffer: 1000 });
    await expect(endless).rejects.toMatchObject({ code: 'host_output_too_large' });
    const onStderr = launcher.run({
      ...request,
      executable: '/bin/sh',
      args: ['-c', 'yes >&2'],
      maxBuffer: 1000,
    });
    await expect(onStderr).rejects.toSatisfy(
      (error) => HerdError.find(error)?.code === 'host_output_too_large' && /stderr/.test(String(error)),
    );
  });

  it('stops the program when the signal is aborted and rejects with its reason', async () => {
    const launcher = hostLauncher(route);
    const file = join(directory, `pid-${route}`);
    const controller = new AbortController();
    const run = launcher.run(
      { ...request, executable: '/bin/sh', args: ['-c', `echo $$ > ${file}; exec sleep 600`] },
      controller.signal,
    );
    const pid = Number(await written(file));
    expect(running(pid)).toBe(true);
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 20_000 });
  });

  it('says a program that cannot be started could not be, naming the directory', async () => {
    const launcher = hostLauncher(route);
    const run = launcher.run({
      ...request,
      cwd: join(directory, 'missing'),
      executable: '/bin/sh',
      args: [],
    });
    await expect(run).rejects.toMatchObject({
      code: 'host_program_unstartable',
      message: expect.stringContaining(join(directory, 'missing')),
    });
  });

  it('runs in a relative directory resolved against Herd’s current one, as Herd’s own process would', async () => {
    const launcher = hostLauncher(route);
    await launcher.run({ ...request, executable: '/bin/pwd', args: [] });
    const previous = process.cwd();
    process.chdir(directory);
    try {
      const shown = await launcher.run({ ...request, cwd: '.', executable: '/bin/pwd', args: [] });
      expect(shown.stdout.toString()).toBe(`${realpathSync(directory)}\n`);
    } finally {
      process.chdir(previous);
    }
  });

  it('runs fifty programs at once', async () => {
    const launcher = hostLauncher(route);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        launcher.run({ ...request, executable: '/bin/sh', args: ['-c', `echo ${index}`] }),
      ),
    );
    expect(results.map((result) => result.stdout.toString())).toEqual(
      Array.from({ length: 50 }, (_, index) => `${index}\n`),
    );
  });
});

describe('the launcher', () => {
  it('has no environment of its own beyond its channel, and none of Herd’s Node.js flags', async () => {
    process.env.HERD_LAUNCHER_TEST_KEY = 'sk-test-launcher-environment';
    try {
      const launcher = hostLauncher('launcher');
      // A program's parent is the launcher: it reads the launcher's environment and command line.
      const show = async (script: string) =>
        (await launcher.run({ ...request, executable: '/bin/sh', args: ['-c', script] })).stdout.toString();
      expect(Number(await show('echo $PPID'))).not.toBe(process.pid);
      const environment = (await show('cat /proc/$PPID/environ')).split('\0').filter(Boolean);
      expect(environment.map((entry) => entry.split('=')[0]).sort()).toEqual([
        'NODE_CHANNEL_FD',
        'NODE_CHANNEL_SERIALIZATION_MODE',
      ]);
      const commandLine = (await show('cat /proc/$PPID/cmdline')).split('\0');
      expect(commandLine.slice(0, 2)).toEqual([process.execPath, '-e']);
    } finally {
      delete process.env.HERD_LAUNCHER_TEST_KEY;
    }
  });

  it('fails the requests of a launcher that was killed with host_launcher_exited, and the next one starts anew', async () => {
    const launcher = hostLauncher('launcher');
    const file = join(directory, 'killed-launcher');
    const run = launcher.run({
      ...request,
      executable: '/bin/sh',
      args: ['-c', `echo $PPID $$ > ${file}; exec sleep 600`],
    });
    const [launcherPid, programPid] = (await written(file)).split(' ').map(Number);
    try {
      process.kill(launcherPid!, 'SIGKILL');
      await expect(run).rejects.toMatchObject({
        code: 'host_launcher_exited',
        message: expect.stringMatching(/ended before \/bin\/sh .*run the command again/),
      });
      const next = await launcher.run({ ...request, executable: '/bin/sh', args: ['-c', 'echo $PPID'] });
      expect(next.exitCode).toBe(0);
      expect(Number(next.stdout.toString())).not.toBe(launcherPid);
    } finally {
      // Killed with SIGKILL, the launcher could not stop what it ran.
      if (running(programPid!)) process.kill(programPid!);
    }
  });

  it('is what launchHostProcess starts programs through, past the first few', async () => {
    // A fresh module, so its launcher's count of direct starts begins here: test files share a worker's modules
    // (isolate: false), and one that ran earlier in the same worker may already have used them up.
    vi.resetModules();
    const fresh = await import('../../src/host/launch-host-process.js');
    const parents = new Set<string>();
    for (let index = 0; index < 10; index++) {
      const shown = await fresh.launchHostProcess({
        executable: '/bin/sh',
        args: ['-c', 'echo $PPID'],
        cwd: directory,
        env: {},
      });
      parents.add(shown.stdout.toString().trim());
    }
    expect(parents.has(String(process.pid))).toBe(true);
    expect(parents.size).toBe(2);
  });
});
