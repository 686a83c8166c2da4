import path from 'node:path';
import { SystemError } from '../errors/system-error.js';
import {
  type HostProcessOutcome,
  type HostProcessRequest,
  type HostProcessResult,
  settleHostProcess,
} from './host-process-outcome.js';
import { LauncherProcess } from './launcher-process.js';
import { spawnHostProcess } from './spawn-host-process.js';

/** Options for a {@link HostLauncher}. */
export interface HostLauncherOptions {
  /**
   * Programs started from Herd's own process before the launcher takes over. Default
   * {@link defaultDirectStarts}; 0 starts every program through the launcher.
   */
  directStarts?: number;
}

/**
 * Programs a Herd process starts itself before it starts a launcher. Starting the launcher costs one spawn and a
 * Node.js start (about 0.1 s, and more while git keeps both cores busy) before its first program; a spawn from Herd
 * costs 6 ms at 50 MB of memory and 25-35 ms at 400 MB-1 GB. A short command (a first `herd pack` of a repository
 * starts git 8 times, half of them to list git's configuration) ends before a launcher would pay for itself; a run
 * (about 50 git processes) or an editor backend starts it early on.
 */
export const defaultDirectStarts = 8;

/**
 * Starts programs on the host for one Herd process. `child_process.spawn` forks the calling process, and the fork
 * blocks it for a time that grows with its memory: 6 ms at 50 MB, 23 ms at 370 MB, 33 ms at 1.1 GB on a 2-core
 * machine, during which no event, timer or reply of an editor is handled. Past the first few programs
 * ({@link HostLauncherOptions.directStarts}), they are started by a launcher instead: one small, long-lived Node.js
 * process (see {@link LauncherProcess}) whose forks are cheap and do not stop Herd. A launcher that ended is
 * replaced by a new one at the next request.
 */
export class HostLauncher {
  readonly #directStarts: number;
  #started = 0;
  #launcher: LauncherProcess | undefined;

  constructor(options: HostLauncherOptions = {}) {
    this.#directStarts = options.directStarts ?? defaultDirectStarts;
  }

  /**
   * Starts one program and resolves with how it ended (see {@link launchHostProcess}).
   *
   * @throws SystemError `host_program_unstartable`, `host_output_too_large`, `host_launcher_unavailable`,
   *   `host_launcher_exited`; the signal's reason when it is aborted.
   */
  async run(request: HostProcessRequest, signal?: AbortSignal): Promise<HostProcessResult> {
    // The launcher's own working directory is Herd's when it started: a relative one means Herd's current one.
    const resolved = { ...request, cwd: path.resolve(request.cwd) };
    return settleHostProcess(resolved, await this.#start(resolved, signal));
  }

  /** Closes the launcher, if one runs: it stops what it still runs and exits. The next request starts a new one. */
  close(): void {
    this.#launcher?.close();
    this.#launcher = undefined;
  }

  #start(request: HostProcessRequest, signal: AbortSignal | undefined): Promise<HostProcessOutcome> {
    if (this.#started < this.#directStarts) {
      this.#started++;
      return spawnHostProcess(request, signal);
    }
    if (!this.#launcher?.usable) {
      try {
        this.#launcher = new LauncherProcess();
      } catch (error) {
        return Promise.reject(
          new SystemError({
            code: 'host_launcher_unavailable',
            message: `Herd could not start the Node.js process that starts host programs for it (${process.execPath}: ${(error as Error).message}); check that ${process.execPath} can run and that the system allows another process.`,
            cause: error,
          }),
        );
      }
    }
    return this.#launcher.run(request, signal);
  }
}
