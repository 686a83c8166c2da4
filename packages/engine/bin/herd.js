#!/usr/bin/env node
// The `herd` command. A launcher rather than the compiled entry itself, so that the file a bin points at exists
// before the build: pnpm links bins at install time and warns about every missing target, and a clone that has
// installed but not built gets a message saying what to do instead of a module-not-found stack.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bundled command (scripts/bundle-cli.mjs, part of `pnpm build`): one file and its chunks instead of about
// 1,470 modules to resolve and compile at every start.
const entry = new URL('../dist/bundle/herd.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'herd: @herd/engine is not built yet: run `pnpm build` in the Herd repository (or `pnpm -s herd`, which builds first).\n',
  );
  process.exit(3);
}
await import(entry.href);
