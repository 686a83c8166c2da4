import { type Dirent, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { hostPath } from './host-path.js';

/**
 * Where daemons put their Unix sockets: Docker, containerd, Podman, the D-Bus system bus, snapd, PostgreSQL,
 * nscd, systemd, Kubernetes' service account secrets (`/var/run/secrets`). A read-only bind does not stop
 * `connect()` on a socket, so these are hidden rather than bound read-only.
 */
export const hostRuntimeDirectories: readonly string[] = ['/run', '/var/run'];

const { isInside, statOf, realOf } = hostPath;

const entriesOf = (directory: string): Dirent[] => {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
};

const linkTextOf = (target: string): string | undefined => {
  try {
    return readlinkSync(target);
  } catch {
    return undefined;
  }
};

const depth = (target: string): number => target.split('/').length;

/** A symbolic link met while resolving a path: where it is (its parent already real) and what it says. */
interface LinkStep {
  location: string;
  text: string;
}

/**
 * Resolves an absolute path one component at a time, as the kernel does, keeping the symbolic links met on the
 * way, so each can be recreated inside the sandbox. Undefined when a component is missing or the links loop.
 */
function resolveStepByStep(target: string): { links: LinkStep[]; real: string } | undefined {
  const links: LinkStep[] = [];
  const pending = target.split('/').filter((name) => name !== '' && name !== '.');
  let current = '/';
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, name);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(next);
    } catch {
      return undefined;
    }
    if (!stat.isSymbolicLink()) {
      current = next;
      continue;
    }
    const text = linkTextOf(next);
    // 40 is the kernel's own limit on links followed while resolving one path.
    if (text === undefined || links.length >= 40) return undefined;
    links.push({ location: next, text });
    pending.unshift(...text.split('/').filter((part) => part !== '' && part !== '.'));
    if (path.isAbsolute(text)) current = '/';
  }
  return { links, real: current };
}

/**
 * The bwrap arguments that hide the host's runtime directories ({@link hostRuntimeDirectories}, each once by its
 * real path) behind empty private tmpfs mounts, so a sandboxed command cannot connect to the daemons whose sockets
 * live there (`/run/docker.sock` is root on the host). What commands still need there comes back: the links at
 * the top of each directory (`/run/shm`, NixOS's `/run/current-system`), the regular files that links in
 * `/etc` lead to (`/etc/resolv.conf` into `/run/systemd/resolve`, `/run/NetworkManager` or `/run/resolvconf`),
 * read-only, and the command's `PATH` directories inside them (NixOS's `/run/wrappers/bin`), read-only. Sockets
 * are never brought back. Put these before the home mounts and the workspace bind, which must win over them.
 */
export function hiddenRuntimeMounts(options: {
  environment: Readonly<Record<string, string | undefined>>;
  /** The directories to hide. Default {@link hostRuntimeDirectories}. */
  runtimeDirectories?: readonly string[];
  /** The directory whose links into the hidden ones stay followable. Default `/etc`. */
  configurationDirectory?: string;
}): string[] {
  const {
    environment,
    runtimeDirectories = hostRuntimeDirectories,
    configurationDirectory = '/etc',
  } = options;
  const hidden = [...new Set(runtimeDirectories.map(realOf))]
    .filter((directory) => directory !== '/' && statOf(directory)?.isDirectory())
    .filter((directory, _, all) => !all.some((other) => other !== directory && isInside(directory, other)));
  if (hidden.length === 0) return [];
  const insideHidden = (target: string) => hidden.some((directory) => isInside(target, directory));
  const links = new Map<string, string>();
  const binds = new Set<string>();
  for (const directory of hidden) {
    for (const entry of entriesOf(directory)) {
      if (!entry.isSymbolicLink()) continue;
      const location = path.join(directory, entry.name);
      const text = linkTextOf(location);
      if (text !== undefined) links.set(location, text);
    }
  }
  const keep = (target: string, kind: 'file' | 'directory') => {
    const resolved = resolveStepByStep(target);
    if (!resolved) return;
    const stat = statOf(resolved.real);
    if (!(kind === 'file' ? stat?.isFile() : stat?.isDirectory())) return;
    for (const link of resolved.links) if (insideHidden(link.location)) links.set(link.location, link.text);
    if (insideHidden(resolved.real)) binds.add(resolved.real);
  };
  for (const entry of entriesOf(configurationDirectory)) {
    if (entry.isSymbolicLink()) keep(path.join(configurationDirectory, entry.name), 'file');
  }
  for (const entry of (environment.PATH ?? '').split(path.delimiter)) {
    if (path.isAbsolute(entry)) keep(entry, 'directory');
  }
  // Links first: a bound directory may cover one, never the reverse, since bound paths are real.
  return [
    ...hidden.flatMap((directory) => ['--tmpfs', directory]),
    ...[...links]
      .sort(([left], [right]) => depth(left) - depth(right))
      .flatMap(([location, text]) => ['--symlink', text, location]),
    ...[...binds]
      .sort((left, right) => depth(left) - depth(right))
      .flatMap((real) => ['--ro-bind', real, real]),
  ];
}
