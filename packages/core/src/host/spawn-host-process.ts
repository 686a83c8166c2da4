import { spawn } from 'node:child_process';
import type { HostProcessOutcome, HostProcessRequest } from './host-process-outcome.js';

/**
 * Starts a program from Herd's own process and collects its output: what the launcher does in its process (see
 * {@link hostLauncherProgram}, whose `start` mirrors this function: keep the two alike), for the first few programs
 * a Herd process starts, before a launcher pays for itself. `child_process.spawn` forks the calling process, which
 * blocks it for a time that grows with its memory (see {@link HostLauncher}).
 *
 * Past `maxBuffer` bytes on stdout or stderr the program is stopped (SIGTERM) and what it printed is dropped; on
 * `signal` it is stopped the same way and the promise rejects with the signal's reason.
 */
export function spawnHostProcess(
  request: HostProcessRequest,
  signal?: AbortSignal,
): Promise<HostProcessOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(request.executable, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    const sizes = { stdout: 0, stderr: 0 };
    let overflowed: 'stdout' | 'stderr' | undefined;
    let settled = false;
    const settle = (outcome: HostProcessOutcome | { aborted: unknown }) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      if ('aborted' in outcome) reject(outcome.aborted);
      else resolve(outcome);
    };
    const abort = () => {
      child.kill();
      settle({ aborted: signal?.reason });
    };
    signal?.addEventListener('abort', abort, { once: true });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.on('data', (chunk: Buffer) => {
        if (overflowed) return;
        sizes[stream] += chunk.length;
        if (sizes[stream] > request.maxBuffer) {
          overflowed = stream;
          chunks.stdout = [];
          chunks.stderr = [];
          child.kill();
          // Closing Herd's ends of the pipes stops whatever else writes to them too (a program the program started).
          child.stdout?.destroy();
          child.stderr?.destroy();
          return;
        }
        chunks[stream].push(chunk);
      });
    }
    child.on('error', (error) => {
      // Only a program that never started is reported from here; anything later ends in 'close'.
      if (child.pid === undefined) settle({ kind: 'unstartable', reason: error.message });
    });
    child.on('close', (exitCode, endedBy) => {
      if (overflowed) settle({ kind: 'overflowed', stream: overflowed });
      else
        settle({
          kind: 'ended',
          exitCode,
          signal: endedBy,
          stdout: Buffer.concat(chunks.stdout),
          stderr: Buffer.concat(chunks.stderr),
        });
    });
    if (request.input !== undefined && child.stdin) {
      // The program may end before reading all of it (git refusing a patch): that is its answer, not a failure.
      child.stdin.on('error', () => {});
      child.stdin.end(request.input);
    }
  });
}
