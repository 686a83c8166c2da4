#!/usr/bin/env node
// `pnpm release:pack [--out DIR]`: builds the four Herd packages and packs each into a tarball in dist-tarballs/
// (or DIR), ready for `npm install -g ./dist-tarballs/*.tgz` without a registry. pnpm packs them, not npm, because
// pnpm rewrites the `workspace:*` dependencies between them into real versions; this script then checks that it
// did, and that each tarball holds what its package.json promises.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'tools', 'guard', 'engine'];

const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
const out = resolve(values.out ?? join(root, 'dist-tarballs'));

/** pnpm itself when this runs as a pnpm script; otherwise the version the repository names, through npx. */
function pnpm(args, options) {
  const execPath = process.env.npm_execpath;
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [command, ...prefix] =
    execPath && /pnpm/.test(execPath)
      ? [process.execPath, execPath]
      : ['npx', '-y', packageManager.split('+')[0]];
  return execFileSync(command, [...prefix, ...args], { encoding: 'utf8', ...options });
}

if (!values['no-build']) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(root, 'scripts/bundle-cli.mjs')], { cwd: root, stdio: 'inherit' });
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const name of packages) {
  if (!existsSync(join(root, 'packages', name, 'dist', 'index.js')))
    throw new Error(`packages/${name} is not built: run \`pnpm build\` first.`);
}
if (!existsSync(join(root, 'packages/engine/dist/bundle/herd.js')))
  throw new Error(
    'the herd command is not bundled: run `pnpm build` (tsc -b and scripts/bundle-cli.mjs) first.',
  );
// One pnpm for the four packages: each pnpm started costs seconds (more through npx).
pnpm(
  [
    '--recursive',
    ...packages.flatMap((name) => ['--filter', `@herd/${name}`]),
    'pack',
    '--pack-destination',
    out,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

const tarballs = [];
for (const name of packages) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  const tarball = join(out, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
  const packed = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [dependency, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        throw new Error(`${tarball}: ${field}.${dependency} is still ${range}; pack with pnpm, not npm.`);
    }
  }
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const needed of ['package/dist/index.js', ...Object.values(packed.bin ?? {})]) {
    const path = needed.startsWith('package/') ? needed : `package/${needed.replace(/^\.\//, '')}`;
    if (!files.includes(path)) throw new Error(`${tarball} is missing ${path}.`);
  }
  tarballs.push(tarball);
}

/** A path as typed in a shell here: relative to the current folder, starting with ./ so npm reads it as a file. */
const shown = (path) => {
  const relativePath = relative(process.cwd(), path);
  return relativePath.startsWith('..') || relativePath.startsWith('/') ? path : `./${relativePath}`;
};
process.stdout.write(
  `${tarballs.map(shown).join('\n')}\n\nInstall all four at once (they depend on each other):\n  ONNXRUNTIME_NODE_INSTALL=skip npm install -g ${shown(out)}/*.tgz\n`,
);
