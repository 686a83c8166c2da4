import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { type CapturedOutput, createOutputCapture } from './output-capture.js';

/** How a process tree ended. */
export interface ProcessTreeResult {
  /** Exit code, or undefined when a signal ended it. */
  exitCode: number | undefined;
  /** The signal that ended it, if any. */
  signal: string | undefined;
  /** True when the time limit killed it. */
  timedOut: boolean;
  /** True when the caller's abort signal killed it. */
  aborted: boolean;
  /** True when it could not start (e.g. the program does not exist); `error` says why. */
  failedToStart: boolean;
  /** Why it could not start. */
  error: string | undefined;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  durationMs: number;
}

/** Options for {@link runProcessTree}. */
export interface RunProcessTreeOptions {
  /** Program and arguments; never interpreted by a shell. */
  argv: readonly string[];
  cwd: string;
  environment: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each. */
  outputLimitBytes: number;
  /** Text written to standard input, which is then closed. */
  input?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Milliseconds between SIGTERM and SIGKILL. Default 1000. */
  killGraceMs?: number;
  /** Descriptors of this process the program receives as 3, 4, ... (bwrap's protected mounts). */
  inheritDescriptors?: readonly number[];
  /**
   * Marks the program's environment and, when it ends or is stopped, kills every process still carrying the mark,
   * found through `/proc`: the way to reach descendants that left the process group (`setsid`) when the program
   * does not run in a PID namespace of its own. A process that empties its environment escapes it.
   */
  killMarkedDescendants?: boolean;
}

/** The environment variable that marks a process tree for {@link RunProcessTreeOptions.killMarkedDescendants}. */
export const processTreeMarkerName = 'HERD_PROCESS_TREE';

/** Kills the processes whose environment holds the marker, round after round while some are found (they fork). */
async function killMarked(marker: string): Promise<void> {
  const needle = `${processTreeMarkerName}=${marker}`;
  for (let round = 0; round < 20; round += 1) {
    let found = 0;
    let entries: string[];
    try {
      entries = await readdir('/proc');
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      let environment: Buffer;
      try {
        environment = await readFile(`/proc/${entry}/environ`);
      } catch {
        continue;
      }
      if (!environment.includes(needle)) continue;
      found += 1;
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {}
    }
    if (found === 0) return;
  }
}

const killGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {}
};

/**
 * Runs a program through execa in its own process group, capturing head and tail of its output, and kills the
 * whole group (SIGTERM, then SIGKILL) on timeout, on abort, and after the main process exits, so nothing it
 * started outlives it. A descendant that starts its own session leaves the group: run the program in a PID
 * namespace (bubblewrap, `unshare`) so it dies with the namespace, or mark and hunt it with
 * {@link RunProcessTreeOptions.killMarkedDescendants}.
 */
export async function runProcessTree(options: RunProcessTreeOptions): Promise<ProcessTreeResult> {
  const started = Date.now();
  const [program, ...args] = options.argv;
  const stdout = createOutputCapture(options.outputLimitBytes);
  const stderr = createOutputCapture(options.outputLimitBytes);
  const marker = options.killMarkedDescendants ? randomUUID() : undefined;
  const child = execa(program!, args, {
    cwd: options.cwd,
    env: marker ? { ...options.environment, [processTreeMarkerName]: marker } : options.environment,
    extendEnv: false,
    detached: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
    stdio: [
      options.input !== undefined ? 'pipe' : 'ignore',
      'pipe',
      'pipe',
      // Node passes a number in stdio as that descriptor; execa's types leave numbers out for extra descriptors.
      ...((options.inheritDescriptors ?? []) as unknown as 'pipe'[]),
    ],
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  child.stdout?.on('data', (chunk: Uint8Array) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Uint8Array) => stderr.push(chunk));
  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killAll = () => {
    killGroup(child.pid, 'SIGKILL');
    if (marker) void killMarked(marker);
  };
  const stop = () => {
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(killAll, options.killGraceMs ?? 1000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  // The main process may exit while children keep its pipes open; kill the group as soon as it exits.
  child.on('exit', killAll);
  try {
    const result = await child;
    const failedToStart =
      result.failed && result.exitCode === undefined && result.signal === undefined && !timedOut && !aborted;
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut,
      aborted,
      failedToStart,
      error: failedToStart ? String(result.originalMessage ?? result.shortMessage) : undefined,
      stdout: stdout.result(),
      stderr: stderr.result(),
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
    killGroup(child.pid, 'SIGKILL');
    if (marker) await killMarked(marker);
  }
}
