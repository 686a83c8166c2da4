import { homedir } from 'node:os';
import path from 'node:path';
import { hostPath } from './host-path.js';

/**
 * What a sandboxed command may still read in the user's home, relative to it: language toolchains and version
 * managers, the package caches compilers read to build offline, test runners' browsers and git's settings. Nothing
 * here commonly holds credentials: `~/.cargo/credentials.toml`, `~/.npmrc`, `~/.git-credentials` and
 * `~/.config/git/credentials` stay hidden. Each is bound read-only when it exists.
 */
export const toolchainHomePaths: readonly string[] = [
  '.nvm',
  '.volta',
  '.fnm',
  '.local/share/fnm',
  '.asdf',
  '.local/share/mise',
  '.local/share/pnpm',
  '.bun/bin',
  '.deno/bin',
  '.cargo/bin',
  '.cargo/registry',
  '.cargo/git',
  '.rustup',
  'go/bin',
  'go/pkg/mod',
  '.pyenv',
  '.rbenv',
  '.sdkman/candidates',
  '.m2/repository',
  '.gradle/caches',
  '.gradle/wrapper',
  '.cache/node-gyp',
  '.cache/ms-playwright',
  '.cache/puppeteer',
  '.cache/Cypress',
  '.gitconfig',
  '.config/git/config',
  '.config/git/ignore',
  '.config/git/attributes',
];

/** Where homes live besides `$HOME`: other users', root's, and the per-user runtime directories (agent sockets). */
const sharedHomeRoots = ['/home', '/root', '/run/user'];

/** A `$HOME` inside these (or `/` itself) is a system directory, never hidden: the command needs it to run at all. */
const systemTrees = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/sbin',
  '/sys',
  '/usr',
];

const { isInside, statOf, realOf } = hostPath;

const depth = (target: string): number => target.split('/').length;

/**
 * The bwrap arguments that hide every home directory from a sandboxed command: an empty, writable, private tmpfs
 * over `/home`, `/root`, `/run/user`, the user's home (`os.homedir()`) and the command's `$HOME`, so secrets such
 * as `~/.ssh`, `~/.aws`, `~/.npmrc` or `~/.config/gh` cannot be read and printed, while tools that write caches
 * to `$HOME` still succeed (their writes vanish with the sandbox). Then, read-only at their own paths, the
 * existing {@link toolchainHomePaths} of the user's home and the command's `PATH` entries that lie inside a hidden
 * directory, so toolchains installed in the home still run. Put these before the workspace bind, which must win
 * when the workspace lies inside a home.
 */
export function hiddenHomeMounts(options: {
  environment: Readonly<Record<string, string | undefined>>;
}): string[] {
  const { environment } = options;
  const ownHomes = [environment.HOME, homedir()].filter(
    (home): home is string =>
      home !== undefined &&
      path.isAbsolute(home) &&
      home !== '/' &&
      !systemTrees.some((tree) => isInside(path.resolve(home), tree)),
  );
  const hidden = [
    ...new Set([...sharedHomeRoots, ...ownHomes.flatMap((home) => [path.resolve(home), realOf(home)])]),
  ]
    .filter((directory) => statOf(directory)?.isDirectory() && directory !== '/')
    .sort((left, right) => depth(left) - depth(right));
  const readable = new Map<string, string>();
  for (const home of new Set(ownHomes.map((home) => path.resolve(home)))) {
    for (const relative of toolchainHomePaths) {
      const target = path.join(home, relative);
      if (statOf(target)) readable.set(target, realOf(target));
    }
  }
  const covered = (target: string) => [...readable.keys()].some((bound) => isInside(target, bound));
  for (const entry of (environment.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(entry)) continue;
    const target = path.resolve(entry);
    if (hidden.includes(target) || !hidden.some((directory) => isInside(target, directory))) continue;
    if (covered(target) || !statOf(target)?.isDirectory()) continue;
    readable.set(target, realOf(target));
  }
  const binds = [...readable].sort(([left], [right]) => depth(left) - depth(right));
  return [
    ...hidden.flatMap((directory) => ['--tmpfs', directory]),
    ...binds.flatMap(([target, source]) => ['--ro-bind', source, target]),
  ];
}
