import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The file that holds the process id of a session's live run. */
export function runningMarker(workspace: string, sessionId: string): string {
  return join(workspace, '.herd', 'sessions', sessionId, 'running.pid');
}

/**
 * Whether a session recorded as running has a live process on this machine. A run killed with SIGKILL stays
 * `running` in the store; this tells it apart (`herd resume` continues it).
 */
export function isRunAlive(options: { workspace: string; sessionId: string }): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(runningMarker(resolve(options.workspace), options.sessionId), 'utf8'));
  } catch {
    return false;
  }
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
}

/** Whether a process of this machine exists (one of another user's counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
