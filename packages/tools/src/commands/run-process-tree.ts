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
 * started outlives it.
 */
export async function runProcessTree(options: RunProcessTreeOptions): Promise<ProcessTreeResult> {
  const started = Date.now();
  const [program, ...args] = options.argv;
  const stdout = createOutputCapture(options.outputLimitBytes);
  const stderr = createOutputCapture(options.outputLimitBytes);
  const child = execa(program!, args, {
    cwd: options.cwd,
    env: options.environment,
    extendEnv: false,
    detached: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  child.stdout?.on('data', (chunk: Uint8Array) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Uint8Array) => stderr.push(chunk));
  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 1000);
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
  child.on('exit', () => killGroup(child.pid, 'SIGKILL'));
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
  }
}
