import { HostLauncher } from './host-launcher.js';
import type { HostProcessResult } from './host-process-outcome.js';

/** Options for {@link launchHostProcess}. */
export interface LaunchHostProcessOptions {
  /** Absolute path of the program (see {@link findHostProgram}); no shell and no `PATH` search is involved. */
  executable: string;
  args: readonly string[];
  /**
   * Where the program runs; a relative path is resolved against Herd's current directory. Paths that name
   * something of the calling process (`/proc/self/...`, a descriptor) do not reach the program: another process
   * may start it.
   */
  cwd: string;
  /** The program's whole environment: nothing of Herd's own environment is added or inherited. */
  env: Readonly<Record<string, string>>;
  /** Written to the program's stdin (a patch for `git apply`); stdin is empty otherwise. */
  input?: string | Uint8Array;
  /** Stops the program (SIGTERM); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Bytes of stdout, and of stderr, kept; past them the program is stopped and the call fails. Default 64 MB. */
  maxBuffer?: number;
}

const launcher = new HostLauncher();

/**
 * Runs a program on the host outside any sandbox (git, for Herd's own bookkeeping and the git tools) and collects
 * its output, without forking Herd's process past the first few programs: a small launcher process starts them
 * (see {@link HostLauncher}), so a large Herd (an editor backend, a test worker) is not stopped for the 20-30 ms
 * each fork of it takes. The launcher never keeps Herd running and ends with it.
 *
 * A non-zero exit code, or a program ended by a signal, is a result for the caller to judge.
 *
 * @throws SystemError `host_program_unstartable` when the program cannot be started (no such file or `cwd`),
 *   `host_output_too_large` past `maxBuffer` (the program is stopped), `host_launcher_unavailable` or
 *   `host_launcher_exited` when the launcher cannot be started or ends before the program does; the signal's
 *   reason when `signal` is aborted.
 */
export function launchHostProcess(options: LaunchHostProcessOptions): Promise<HostProcessResult> {
  const { signal, maxBuffer = 64 * 1024 * 1024, ...request } = options;
  return launcher.run({ ...request, maxBuffer }, signal);
}
