import { execa } from 'execa';
import { findExecutable } from './find-executable.js';

/**
 * How a command that runs without bubblewrap is still kept apart from Herd's own processes: in a fresh PID
 * namespace (with its own `/proc`) when `unshare` can make one, or not at all.
 */
export interface ProcessIsolation {
  /** `pid-namespace`: the command sees only its own processes and dies whole; `none`: no isolation. */
  kind: 'pid-namespace' | 'none';
  /** The argv prefix that starts a command in the namespace. */
  prefix?: readonly string[];
  /** Why there is no isolation. */
  reason?: string;
}

/**
 * The `unshare` flags to try, strongest first. `--fork` makes the command PID 1 of the namespace, so when it ends
 * (or is killed) the kernel kills everything left in it, however it detached (`setsid`, double fork);
 * `--mount-proc` gives it a `/proc` that lists only those processes, so Herd's `/proc/PID/environ` (the API keys it
 * was started with) cannot be read; `--kill-child` ends the namespace when unshare itself is killed. Root can do
 * this directly; other users need an unprivileged user namespace, mapped to their own uid so files keep their owner
 * (`--map-root-user` is the fallback for util-linux before 2.38).
 */
const candidates: readonly (readonly string[])[] = [
  ...(process.getuid?.() === 0 ? [[]] : []),
  ['--user', '--map-current-user'],
  ['--user', '--map-root-user'],
].flatMap((user) => [
  [...user, '--pid', '--fork', '--kill-child', '--mount-proc'],
  [...user, '--pid', '--fork', '--mount-proc'],
]);

let probed: Promise<ProcessIsolation> | undefined;

/**
 * Finds out once per process whether commands can run in their own PID namespace here (Linux, `unshare` from
 * util-linux installed, and root or unprivileged user namespaces allowed), and how.
 */
export function probeProcessIsolation(): Promise<ProcessIsolation> {
  probed ??= (async (): Promise<ProcessIsolation> => {
    if (process.platform !== 'linux')
      return { kind: 'none', reason: `PID namespaces need Linux; this is ${process.platform}` };
    const executable = await findExecutable('unshare');
    if (!executable) return { kind: 'none', reason: 'unshare (util-linux) is not installed' };
    let failure = '';
    for (const flags of candidates) {
      const probe = await execa(executable, [...flags, '--', 'true'], {
        reject: false,
        timeout: 5000,
        stdin: 'ignore',
      });
      if (probe.exitCode === 0) return { kind: 'pid-namespace', prefix: [executable, ...flags, '--'] };
      failure ||= String(probe.stderr).trim().split('\n')[0] ?? `exit code ${probe.exitCode}`;
    }
    return { kind: 'none', reason: `unshare cannot create a PID namespace here (${failure})` };
  })();
  return probed;
}
