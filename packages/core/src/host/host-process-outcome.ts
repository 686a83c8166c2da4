import { SystemError } from '../errors/system-error.js';

/** One program to start on the host, as Herd asks for it (see {@link launchHostProcess}). */
export interface HostProcessRequest {
  /** Absolute path of the program (see {@link findHostProgram}); no shell and no `PATH` search is involved. */
  executable: string;
  args: readonly string[];
  cwd: string;
  /** The program's whole environment: nothing else is added, nothing of Herd's own environment is inherited. */
  env: Readonly<Record<string, string>>;
  /** Written to the program's stdin, which is closed after it (and empty without it). */
  input?: string | Uint8Array | undefined;
  /** Bytes of stdout, and of stderr, kept; past them the program is stopped. */
  maxBuffer: number;
}

/**
 * How a started program ended, as the process that started it reports it: the same shape from a program started
 * in Herd's own process and from one started by the launcher (where it crosses the IPC channel).
 */
export type HostProcessOutcome =
  | {
      kind: 'ended';
      /** `null` when the program was ended by a signal. */
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      stdout: Uint8Array;
      stderr: Uint8Array;
    }
  /** The program printed more than `maxBuffer` bytes on the stream and was stopped; what it printed is dropped. */
  | { kind: 'overflowed'; stream: 'stdout' | 'stderr' }
  /** The program could not be started (no such file, not executable, no such `cwd`). */
  | { kind: 'unstartable'; reason: string };

/** How a program Herd started on the host ended. */
export interface HostProcessResult {
  /** The program's exit code; `null` when a signal ended it. A non-zero code is a result: the caller judges it. */
  exitCode: number | null;
  /** The signal that ended the program, if one did. */
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * The result a caller gets for an outcome, or the error it throws.
 *
 * @throws SystemError `host_program_unstartable` when the program could not be started, `host_output_too_large` when
 *   it printed more than `maxBuffer` bytes on a stream.
 */
export function settleHostProcess(
  request: HostProcessRequest,
  outcome: HostProcessOutcome,
): HostProcessResult {
  const name = request.executable;
  if (outcome.kind === 'unstartable') {
    throw new SystemError({
      code: 'host_program_unstartable',
      message: `${name} could not be started in ${request.cwd} (${outcome.reason}); check that it is installed and that the directory exists.`,
      // The system's own words (`spawn /usr/bin/git ENOENT`), for a caller that words its own message.
      cause: new Error(outcome.reason),
    });
  }
  if (outcome.kind === 'overflowed') {
    throw new SystemError({
      code: 'host_output_too_large',
      message: `${name} printed more than ${request.maxBuffer} bytes on ${outcome.stream} and was stopped; ask it for less.`,
    });
  }
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stdout: toBuffer(outcome.stdout),
    stderr: toBuffer(outcome.stderr),
  };
}

/** A Buffer over the same bytes (the IPC channel may hand a Uint8Array). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
