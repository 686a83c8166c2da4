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
 * The capabilities a command keeps when it would otherwise run as root of its namespace: Docker's default set for a
 * container's root (files, ownership, users and groups, signals to its own processes, low ports, chroot). Left out,
 * above all: `sys_admin`, with which `umount /proc` uncovers the host's `/proc` again (and Herd's environment with
 * it) and `nsenter` leaves the namespace, and `sys_ptrace`, `sys_rawio`, `bpf` and `perfmon`, which read other
 * processes' memory.
 */
export const keptCapabilities: readonly string[] = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'kill',
  'setgid',
  'setuid',
  'setpcap',
  'net_bind_service',
  'net_raw',
  'sys_chroot',
  'mknod',
  'audit_write',
  'setfcap',
];

/** One way to make the namespace: unshare's flags, and whether the command would be root inside it. */
interface Candidate {
  flags: readonly string[];
  rootInside: boolean;
}

/**
 * The `unshare` flags to try, strongest first. `--fork` makes the command PID 1 of the namespace, so when it ends
 * (or is killed) the kernel kills everything left in it, however it detached (`setsid`, double fork);
 * `--mount-proc` gives it a `/proc` that lists only those processes, so Herd's `/proc/PID/environ` (the API keys it
 * was started with) cannot be read; `--kill-child` ends the namespace when unshare itself is killed. Root can do
 * this directly; other users need an unprivileged user namespace, mapped to their own uid so files keep their owner
 * (`--map-root-user` is the fallback for util-linux before 2.38). A command that is root inside (Herd run by root,
 * or that fallback) would hold the capabilities to unmount that `/proc`, so it starts through `setpriv` without them
 * (see {@link keptCapabilities}).
 */
const candidates: readonly Candidate[] = [
  ...(process.getuid?.() === 0 ? [{ user: [] as string[], rootInside: true }] : []),
  { user: ['--user', '--map-current-user'], rootInside: process.getuid?.() === 0 },
  { user: ['--user', '--map-root-user'], rootInside: true },
].flatMap(({ user, rootInside }) => [
  { flags: [...user, '--pid', '--fork', '--kill-child', '--mount-proc'], rootInside },
  { flags: [...user, '--pid', '--fork', '--mount-proc'], rootInside },
]);

/** The argv prefix for one candidate, or why it cannot be used. */
async function prefixFor(
  executable: string,
  candidate: Candidate,
): Promise<{ prefix: string[] } | { reason: string }> {
  const unshare = [executable, ...candidate.flags, '--'];
  if (!candidate.rootInside) return { prefix: unshare };
  const setpriv = await findExecutable('setpriv');
  if (!setpriv) {
    return {
      reason:
        'the command would be root in its namespace, and setpriv (util-linux), needed to take away the capabilities that would let it leave, is not installed',
    };
  }
  return {
    prefix: [
      ...unshare,
      setpriv,
      '--bounding-set',
      `-all,${keptCapabilities.map((name) => `+${name}`).join(',')}`,
      '--',
    ],
  };
}

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
    for (const candidate of candidates) {
      const placed = await prefixFor(executable, candidate);
      if ('reason' in placed) {
        failure ||= placed.reason;
        continue;
      }
      const [program, ...args] = placed.prefix;
      const probe = await execa(program!, [...args, 'true'], {
        reject: false,
        timeout: 5000,
        stdin: 'ignore',
      });
      if (probe.exitCode === 0) return { kind: 'pid-namespace', prefix: placed.prefix };
      failure ||= String(probe.stderr).trim().split('\n')[0] ?? `exit code ${probe.exitCode}`;
    }
    return { kind: 'none', reason: `unshare cannot create a PID namespace here (${failure})` };
  })();
  return probed;
}
