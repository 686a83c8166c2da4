import { GuardError } from '@herd/core';
import type { ToolsConfig } from '../config/tools-config.js';
import { probeBubblewrap, type SandboxStatus } from './bubblewrap-sandbox.js';
import type { CommandRunner } from './command-runner.js';
import { type ProcessIsolation, probeProcessIsolation } from './process-isolation.js';

/** Where a command runs and what contains it. */
export interface CommandPlacement {
  /** The runner it goes to (an editor's terminal), or none: a local process tree. */
  runner?: CommandRunner;
  /** Whether bubblewrap sandboxes it. */
  sandbox: SandboxStatus;
  /** For a local command without bubblewrap: whether it gets its own PID namespace. */
  isolation?: ProcessIsolation;
}

/**
 * Decides where a command runs: in the runner when one is given (not for commands with stdin, which it cannot
 * feed, nor when `sandbox.mode` is `required`), else locally inside bubblewrap when it works and is not turned off,
 * else locally in a PID namespace of its own when `unshare` can make one. Refuses when the configuration requires
 * the sandbox and bubblewrap does not work here. bwrap and unshare are never programs from the workspace (see
 * `findHostProgram`).
 */
export async function placeCommand(options: {
  config: Pick<ToolsConfig, 'sandbox'>;
  commandRunner?: CommandRunner | undefined;
  hasStdin: boolean;
  /** The workspace commands run in, which the model can write. */
  workspace: string;
}): Promise<CommandPlacement> {
  const { config, commandRunner, hasStdin, workspace } = options;
  const runner = commandRunner && !hasStdin && config.sandbox.mode !== 'required' ? commandRunner : undefined;
  if (runner) {
    return {
      runner,
      sandbox: { kind: 'none', reason: `it ran in ${runner.description}, which Herd cannot sandbox` },
    };
  }
  const sandbox: SandboxStatus =
    config.sandbox.mode === 'off'
      ? { kind: 'none', reason: 'the sandbox is turned off in the configuration' }
      : await probeBubblewrap({ workspace });
  if (sandbox.kind === 'none' && config.sandbox.mode === 'required') {
    throw new GuardError({
      code: 'sandbox_unavailable',
      message: `The configuration requires a sandbox but ${sandbox.reason}; install bubblewrap or set tools.sandbox.mode to auto.`,
      scanner: 'sandbox',
    });
  }
  return sandbox.kind === 'bubblewrap'
    ? { sandbox }
    : { sandbox, isolation: await probeProcessIsolation({ workspace }) };
}

/**
 * What a person approving an unsandboxed command must know: why it is not sandboxed and what it can then reach.
 * Undefined when bubblewrap sandboxes it.
 */
export function describeUnsandboxed(placement: CommandPlacement): string | undefined {
  if (placement.sandbox.kind === 'bubblewrap') return undefined;
  const reach = 'it can read and change every file your user can and reach the network';
  if (placement.runner) {
    return `it would run in ${placement.runner.description}, which Herd cannot sandbox: ${reach}, and see your other processes (Herd's included, with the API keys in its environment)`;
  }
  const why = placement.sandbox.reason ?? 'bubblewrap is not available';
  if (placement.isolation?.kind === 'pid-namespace') {
    const asRoot =
      process.getuid?.() === 0
        ? ', though running as root it can change the system around them (install bubblewrap, or run Herd as an ordinary user)'
        : '';
    return `${why}: ${reach}; it runs in a PID namespace of its own, so Herd's processes and the API keys in their environment stay out of its sight${asRoot}`;
  }
  return `${why}: ${reach}, and since it cannot be given a PID namespace (${placement.isolation?.reason ?? 'not tried'}), it can also read the API keys in Herd's environment through /proc; install bubblewrap (apt-get install bubblewrap) to sandbox commands`;
}

/** The note a command's result carries about where it ran. */
export function describePlacement(placement: CommandPlacement, network: boolean): string {
  if (placement.sandbox.kind === 'bubblewrap') return `sandboxed, network ${network ? 'on' : 'off'}`;
  const isolation =
    placement.runner || !placement.isolation
      ? ''
      : placement.isolation.kind === 'pid-namespace'
        ? '; in its own PID namespace'
        : `; not isolated from Herd's processes: ${placement.isolation.reason}`;
  return `UNSANDBOXED: ${placement.sandbox.reason}${isolation}`;
}
