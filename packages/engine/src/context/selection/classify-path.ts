import type { PackSelection } from '../pack-options.js';
import type { ExclusionReason } from '../pack-stats.js';

/** A reason to leave a file out, decided from its path alone. */
export interface PathVerdict {
  /** Why the file is left out. */
  reason: ExclusionReason;
  /** The rule that matched. */
  detail: string;
}

// Files that hold credentials by convention. Templates (.env.example and the like) hold none and stay in;
// secrets inside them would still be redacted.
const secretNames: readonly [RegExp, string][] = [
  [/^\.env(\..*)?$/, '.env file'],
  [/\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|tfstate|tfvars)$/i, 'key, certificate or state file'],
  [/^id_(rsa|dsa|ecdsa|ed25519)(?!.*\.pub$)/, 'SSH private key'],
  [/^(credentials|\.git-credentials|\.netrc|\.pgpass|\.htpasswd)(\..*)?$/i, 'credentials file'],
];
const secretTemplate = /^\.env\.(example|sample|template|defaults|dist)$/;

const lockfiles = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'Cargo.lock',
  'Gemfile.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'composer.lock',
  'go.sum',
  'mix.lock',
  'pubspec.lock',
  'Package.resolved',
  'flake.lock',
  'packages.lock.json',
  'gradle.lockfile',
]);

const generatedNames: readonly RegExp[] = [
  /\.generated\.[^/]+$/,
  /_pb2(_grpc)?\.py$/,
  /\.pb\.(go|cc|h)$/,
  /\.(snap|map)$/,
  /\.tsbuildinfo$/,
];
const generatedDirectories = new Set(['node_modules', 'dist', '__generated__', 'coverage', '.next', '.nuxt']);
const minifiedNames = /[.-]min\.(js|mjs|cjs|css)$/;

/**
 * Decides from the path alone whether a file is left out: a secret by name (always), or a lockfile, a
 * generated or a minified file (unless the selection turns that kind back on).
 */
export function classifyPath(options: { path: string; selection: PackSelection }): PathVerdict | undefined {
  const { path, selection } = options;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (!secretTemplate.test(name)) {
    for (const [pattern, detail] of secretNames) {
      if (pattern.test(name)) return { reason: 'secret', detail };
    }
  }
  if (!selection.includeLockfiles && lockfiles.has(name)) return { reason: 'lockfile', detail: name };
  if (!selection.includeMinified && minifiedNames.test(name)) return { reason: 'minified', detail: 'name' };
  if (!selection.includeGenerated) {
    const pattern = generatedNames.find((candidate) => candidate.test(name));
    if (pattern) return { reason: 'generated', detail: 'name' };
    const segments = path.split('/');
    for (let index = 0; index < segments.length - 1; index++) {
      if (generatedDirectories.has(segments[index]!))
        return { reason: 'generated', detail: `${segments[index]}/` };
    }
  }
  return undefined;
}
