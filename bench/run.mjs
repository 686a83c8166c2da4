// Runs one of Herd's benchmarks: `pnpm bench <tools|guard|pack|loop> [args...]` from the repository root.
// Each prints its figures side by side with the anchor its issue names; docs/benchmarks.md records them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = {
  tools: ['node', join(here, 'tools', 'run-tools-bench.mjs')],
  guard: [join(here, 'node_modules', '.bin', 'tsx'), join(here, 'guard', 'run-guard-bench.ts')],
  pack: ['node', join(here, 'pack', 'run-pack-bench.mjs')],
  loop: [join(here, 'node_modules', '.bin', 'tsx'), join(here, 'loop', 'run-loop-bench.ts')],
};
const [name, ...rest] = process.argv.slice(2);
const command = benches[name];
if (!command) {
  console.error(`usage: pnpm bench <${Object.keys(benches).join('|')}> [args...]`);
  process.exit(2);
}
if (!existsSync(join(here, '..', 'packages', 'engine', 'dist', 'index.js'))) {
  console.error('bench: build first with `pnpm build`.');
  process.exit(2);
}
const result = spawnSync(command[0], [...command.slice(1), ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
