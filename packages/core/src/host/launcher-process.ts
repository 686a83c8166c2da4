import { type ChildProcess, spawn } from 'node:child_process';
import { SystemError } from '../errors/system-error.js';
import { hostLauncherProgram } from './host-launcher-program.js';
import type { HostProcessOutcome, HostProcessRequest } from './host-process-outcome.js';

/** A request the launcher has not answered yet. */
interface Pending {
  request: HostProcessRequest;
  /** Output the launcher sent ahead of the outcome, in order. */
  pieces: Record<'stdout' | 'stderr', Uint8Array[]>;
  resolve: (outcome: HostProcessOutcome) => void;
  reject: (error: unknown) => void;
}

/** What the launcher sends back: a piece of a program's output, or how it ended. */
type Reply =
  | { id: number; piece: { stream: 'stdout' | 'stderr'; bytes: Uint8Array } }
  | { id: number; outcome: HostProcessOutcome };

/**
 * One launcher: a small Node.js process that starts programs for Herd (see {@link hostLauncherProgram}), and the
 * requests it has not answered yet. Started with an empty environment (each request carries its program's own, so
 * no key of Herd's is in the launcher's environment) and none of Herd's Node.js flags or loaders.
 *
 * It never keeps Herd alive: the process and its channel are referenced only while a request is pending, so a CLI
 * exits as soon as its work is done, and the launcher exits when its channel closes. When the launcher ends (killed,
 * out of memory) its pending requests fail with `host_launcher_exited` and it is no longer {@link usable}.
 */
export class LauncherProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Why the launcher can no longer be used, once it cannot. */
  #ended: { code: string; why: string } | undefined;

  /** @throws Error when Node.js refuses to spawn at all (the caller reports it). */
  constructor() {
    this.#child = spawn(process.execPath, ['-e', hostLauncherProgram], {
      env: {},
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // Buffers cross the channel as bytes rather than as JSON arrays of numbers.
      serialization: 'advanced',
      windowsHide: true,
    });
    this.#child.on('message', (message: Reply) => this.#answer(message));
    this.#child.on('error', (error) =>
      this.#end('host_launcher_unavailable', `it could not be started (${error.message})`),
    );
    this.#child.on('disconnect', () => this.#end('host_launcher_exited', 'its channel closed'));
    this.#child.on('exit', (code, signal) =>
      this.#end('host_launcher_exited', signal ? `it was ended by ${signal}` : `it exited with code ${code}`),
    );
    this.#release();
  }

  /** Whether requests can still be sent (the launcher has not ended). */
  get usable(): boolean {
    return this.#ended === undefined;
  }

  /**
   * Has the launcher start one program and resolves with how it ended. On `signal` the program is stopped and the
   * promise rejects with the signal's reason at once.
   *
   * @throws SystemError `host_launcher_exited` when the launcher ends before the program does.
   */
  run(request: HostProcessRequest, signal?: AbortSignal): Promise<HostProcessOutcome> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (this.#ended) {
        reject(this.#failure(request, this.#ended));
        return;
      }
      const id = this.#nextId++;
      const abort = () => {
        this.#forget(id);
        // A launcher that ended meanwhile has stopped the program itself.
        if (this.#child.connected) this.#child.send({ type: 'stop', id }, () => {});
        reject(signal?.reason);
      };
      const done = () => signal?.removeEventListener('abort', abort);
      this.#pending.set(id, {
        request,
        pieces: { stdout: [], stderr: [] },
        resolve: (outcome) => {
          done();
          resolve(outcome);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      if (this.#pending.size === 1) this.#hold();
      signal?.addEventListener('abort', abort, { once: true });
      const message = { type: 'start', id, request: { ...request, args: [...request.args] } };
      try {
        this.#child.send(message, (error) => {
          if (error) this.#settle(id, (pending) => pending.reject(this.#sendFailure(request, error)));
        });
      } catch (error) {
        this.#settle(id, (pending) => pending.reject(this.#sendFailure(request, error as Error)));
      }
    });
  }

  /** Closes the channel: the launcher stops what it still runs and exits; pending requests fail. */
  close(): void {
    if (this.#child.connected) this.#child.disconnect();
  }

  #answer(message: Reply): void {
    // A program stopped on a cancel still reports its end; nobody waits for it any more.
    if ('piece' in message) {
      this.#pending.get(message.id)?.pieces[message.piece.stream].push(message.piece.bytes);
      return;
    }
    this.#settle(message.id, (pending) => pending.resolve(joined(pending.pieces, message.outcome)));
  }

  #settle(id: number, how: (pending: Pending) => void): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#forget(id);
    how(pending);
  }

  #forget(id: number): void {
    if (this.#pending.delete(id) && this.#pending.size === 0) this.#release();
  }

  #end(code: string, why: string): void {
    if (this.#ended) return;
    this.#ended = { code, why };
    const ended = this.#ended;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, (pending) => pending.reject(this.#failure(pending.request, ended)));
    }
  }

  #failure(request: HostProcessRequest, ended: { code: string; why: string }): SystemError {
    const launcher = `the Node.js process that starts host programs for Herd (${process.execPath}, pid ${this.#child.pid ?? 'none'})`;
    if (ended.code === 'host_launcher_unavailable') {
      return new SystemError({
        code: ended.code,
        message: `Herd could not start ${launcher}: ${ended.why}; check that ${process.execPath} can run and that the system allows another process.`,
      });
    }
    return new SystemError({
      code: ended.code,
      message: `${capitalized(launcher)} ended before ${request.executable} in ${request.cwd} finished (${ended.why}); run the command again (Herd starts a new one), and check the system's log if it keeps ending.`,
    });
  }

  #sendFailure(request: HostProcessRequest, error: Error): SystemError {
    return new SystemError({
      code: 'host_launcher_exited',
      message: `Herd could not hand ${request.executable} to the Node.js process that starts host programs for it (${error.message}); run the command again.`,
      cause: error,
    });
  }

  /** A request is pending: Herd waits for its answer. */
  #hold(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }

  /** Nothing pending: the launcher must not keep Herd running. */
  #release(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }
}

/** The outcome with the output sent ahead of it put back in front. */
function joined(pieces: Pending['pieces'], outcome: HostProcessOutcome): HostProcessOutcome {
  if (outcome.kind !== 'ended' || (pieces.stdout.length === 0 && pieces.stderr.length === 0)) return outcome;
  return {
    ...outcome,
    stdout: Buffer.concat([...pieces.stdout, outcome.stdout]),
    stderr: Buffer.concat([...pieces.stderr, outcome.stderr]),
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
