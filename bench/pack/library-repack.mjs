// A repack in a running process, as the editor backend or a library user has it: packRepository() from the
// public @herd/engine API, called twice on the same root; prints the second call's wall time and figures as JSON.
// Usage: node bench/pack/library-repack.mjs <root> <budget>
import { packRepository } from '@herd/engine';

const [root, budget] = process.argv.slice(2);
const options = { root, budget: Number(budget) };
await packRepository(options);
const started = performance.now();
const { document, stats } = await packRepository(options);
const againSeconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ againSeconds, files: stats.files.included, tokens: stats.tokens.document, mode: stats.mode, characters: document.length, hits: stats.cache.hits })}\n`,
);
