import { findHostProgram, HostProgramUnavailableError } from '@herd/core';
import { execa } from 'execa';
import { hiddenHomeMounts } from './hidden-home-mounts.js';
import { hiddenRuntimeMounts } from './hidden-runtime-mounts.js';
import type { ProtectedMount } from './protect-workspace.js';

/** The first descriptor number the sandboxed command's bwrap receives protected mounts on (after stdio). */
export const firstMountDescriptor = 3;

/** Whether commands run inside bubblewrap, and why not when they do not. */
export interface SandboxStatus {
  /** `bubblewrap` when commands are sandboxed, `none` otherwise. */
  kind: 'bubblewrap' | 'none';
  /** Why commands are not sandboxed (bwrap missing, not Linux, user namespaces unavailable, turned off). */
  reason?: string;
  /** The bwrap executable, when usable. */
  executable?: string;
}

const probes = new Map<string, Promise<SandboxStatus>>();

/**
 * Finds out whether bubblewrap works here for commands in `workspace`: a `bwrap` must be on Herd's `PATH` outside
 * the workspace (see {@link findHostProgram}: the sandbox itself runs unsandboxed, so one a model put in
 * `node_modules/.bin` or on a relative `PATH` entry must never be it) and able to create the namespaces (some
 * containers forbid user namespaces). Each bwrap is tried once per process.
 *
 * @param options.workspace the directory commands run in, which the model can write.
 * @param options.searchPath Herd's `PATH`. Default `process.env.PATH`.
 */
export async function probeBubblewrap(options: {
  workspace: string;
  searchPath?: string | undefined;
}): Promise<SandboxStatus> {
  if (process.platform !== 'linux')
    return { kind: 'none', reason: `bubblewrap needs Linux; this is ${process.platform}` };
  let executable: string;
  try {
    ({ executable } = await findHostProgram('bwrap', options));
  } catch (error) {
    if (!(error instanceof HostProgramUnavailableError)) throw error;
    return { kind: 'none', reason: missingReason(error) };
  }
  let probe = probes.get(executable);
  if (!probe) {
    probe = tryBubblewrap(executable);
    probes.set(executable, probe);
  }
  return probe;
}

/** Why there is no bwrap, saying so when one in the workspace was passed over. */
function missingReason(error: HostProgramUnavailableError): string {
  if (error.passedOver.length === 0) return 'bwrap is not installed (apt-get install bubblewrap)';
  return `bwrap is not installed outside the workspace (apt-get install bubblewrap); ${error.passedOver[0]} was passed over, as a program in the workspace or on a relative PATH entry is never run as the sandbox`;
}

async function tryBubblewrap(executable: string): Promise<SandboxStatus> {
  const probe = await execa(
    executable,
    ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-net', '--unshare-pid', '--', 'true'],
    {
      reject: false,
      timeout: 5000,
      stdin: 'ignore',
    },
  );
  if (probe.exitCode !== 0) {
    const detail = String(probe.stderr).trim().split('\n')[0] ?? `exit code ${probe.exitCode}`;
    return { kind: 'none', reason: `bwrap cannot create namespaces here (${detail})` };
  }
  return { kind: 'bubblewrap', executable };
}

/**
 * The bwrap arguments that run a command with the whole filesystem read-only except the workspace (writable,
 * with its control files kept read-only, see {@link protectWorkspace}) and a private `/tmp`, with fresh PID and IPC
 * namespaces, a new session, no capabilities (also when Herd runs as root), and the network unshared unless allowed.
 *
 * Home directories are hidden (see {@link hiddenHomeMounts}): `/home`, `/root`, `/run/user`, the user's home and
 * the command's `$HOME` are empty private tmpfs mounts, so credentials kept there (`~/.ssh`, `~/.aws`, `~/.npmrc`,
 * `~/.config/gh`, `~/.kube`, ...) cannot be read, while writes to `$HOME` succeed and are thrown away. Toolchains
 * in the home (`~/.nvm`, `~/.cargo/bin`, `~/.rustup`, `~/.pyenv`, `PATH` entries, ...) and git's settings stay
 * readable; the workspace stays visible and writable even when it lies inside a home.
 *
 * The host's runtime directories (`/run`, and `/var/run` when it is not a link to it) are empty private tmpfs
 * mounts too (see {@link hiddenRuntimeMounts}), because a read-only bind does not stop `connect()`: the sockets of
 * Docker, containerd, Podman, the D-Bus system bus or snapd would otherwise be reachable. The files `/etc` links to
 * there (`/etc/resolv.conf`), the links at their top (`/run/shm`) and `PATH` entries inside them stay readable.
 */
export function bubblewrapArguments(options: {
  workspace: string;
  cwd: string;
  network: boolean;
  /** The command's environment, whose `HOME` and `PATH` say what to hide and keep. Default `process.env`. */
  environment?: Readonly<Record<string, string | undefined>>;
  /**
   * The workspace's control files, bound after it from descriptors that bwrap receives in this order from
   * {@link firstMountDescriptor} on (see {@link protectWorkspace}).
   */
  protectedMounts?: readonly Pick<ProtectedMount, 'destination' | 'writable'>[];
}): string[] {
  const { workspace, cwd, network, environment = process.env, protectedMounts = [] } = options;
  const args = [
    // bwrap started by root leaves the command every capability: it could unmount the read-only binds over the
    // control files, remount them writable, or mknod the host's disk. Nothing a command needs takes one.
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(network ? [] : ['--unshare-net']),
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    // Mounts apply in order: the workspace is bound after /run and the homes are hidden, so it wins inside them.
    ...hiddenRuntimeMounts({ environment }),
    ...hiddenHomeMounts({ environment }),
    '--bind',
    workspace,
    workspace,
  ];
  protectedMounts.forEach((mount, index) => {
    args.push(
      mount.writable ? '--bind-fd' : '--ro-bind-fd',
      String(firstMountDescriptor + index),
      mount.destination,
    );
  });
  args.push('--setenv', 'TMPDIR', '/tmp', '--chdir', cwd, '--');
  return args;
}
