import { findHostProgram, HostProgramUnavailableError } from '@herd/core';
import { execa } from 'execa';

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
function prefixFor(
  unshare: string,
  setpriv: string | undefined,
  candidate: Candidate,
): { prefix: string[] } | { reason: string } {
  const prefix = [unshare, ...candidate.flags, '--'];
  if (!candidate.rootInside) return { prefix };
  if (!setpriv) {
    return {
      reason:
        'the command would be root in its namespace, and setpriv (util-linux), needed to take away the capabilities that would let it leave, is not installed',
    };
  }
  return {
    prefix: [
      ...prefix,
      setpriv,
      '--bounding-set',
      `-all,${keptCapabilities.map((name) => `+${name}`).join(',')}`,
      '--',
    ],
  };
}

/** A program of util-linux Herd runs on the host, or undefined when there is none outside the workspace. */
async function utilLinuxProgram(
  name: 'unshare' | 'setpriv',
  options: { workspace: string; searchPath?: string | undefined },
): Promise<{ executable?: string; passedOver: readonly string[] }> {
  try {
    return { executable: (await findHostProgram(name, options)).executable, passedOver: [] };
  } catch (error) {
    if (!(error instanceof HostProgramUnavailableError)) throw error;
    return { passedOver: error.passedOver };
  }
}

const probes = new Map<string, Promise<ProcessIsolation>>();

/**
 * Finds out whether commands in `workspace` can run in their own PID namespace here (Linux, `unshare` from
 * util-linux installed, and root or unprivileged user namespaces allowed), and how. `unshare` and `setpriv` start
 * the command on the host, so they are found on Herd's `PATH` outside the workspace only (see
 * {@link findHostProgram}). Each pair of programs is tried once per process.
 *
 * @param options.workspace the directory commands run in, which the model can write.
 * @param options.searchPath Herd's `PATH`. Default `process.env.PATH`.
 */
export async function probeProcessIsolation(options: {
  workspace: string;
  searchPath?: string | undefined;
}): Promise<ProcessIsolation> {
  if (process.platform !== 'linux')
    return { kind: 'none', reason: `PID namespaces need Linux; this is ${process.platform}` };
  const unshare = await utilLinuxProgram('unshare', options);
  if (!unshare.executable) {
    const [passed] = unshare.passedOver;
    return {
      kind: 'none',
      reason: passed
        ? `unshare (util-linux) is not installed outside the workspace; ${passed} was passed over, as a program in the workspace or on a relative PATH entry is never run on the host`
        : 'unshare (util-linux) is not installed',
    };
  }
  const { executable: setpriv } = await utilLinuxProgram('setpriv', options);
  const key = `${unshare.executable}\0${setpriv ?? ''}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = tryCandidates(unshare.executable, setpriv);
    probes.set(key, probe);
  }
  return probe;
}

async function tryCandidates(unshare: string, setpriv: string | undefined): Promise<ProcessIsolation> {
  let failure = '';
  for (const candidate of candidates) {
    const placed = prefixFor(unshare, setpriv, candidate);
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
}
