// Runs one Herd pack in a fresh process and prints its figures as JSON (used by run-pack-bench.mjs).
// Usage: [BENCH_HERD_DIST=<engine dist>] node herd-pack-once.mjs <root> <budget> [--exact] [--task "..."] [--again]
// --again packs a second time in the same process and reports that pack's wall time too (againSeconds): a repack
// in a running process, as the editor backend and library users have it, without Node's start.
// BENCH_HERD_DIST points at another build of the engine (say, the previous commit's) to compare in the same run.
const dist = process.env.BENCH_HERD_DIST ?? new URL('../../packages/engine/dist', import.meta.url).pathname;
const { packRepository } = await import(`${dist}/context/pack-repository.js`);

const [root, budget] = process.argv.slice(2);
const taskIndex = process.argv.indexOf('--task');
const options = {
  root,
  budget: Number(budget),
  exact: process.argv.includes('--exact'),
  ...(taskIndex > 0 ? { task: process.argv[taskIndex + 1] } : {}),
};
const { document, stats } = await packRepository(options);
let againSeconds;
if (process.argv.includes('--again')) {
  const started = performance.now();
  await packRepository(options);
  againSeconds = (performance.now() - started) / 1000;
}
process.stdout.write(
  `${JSON.stringify({ mode: stats.mode, files: stats.files.included, inDocument: stats.files.inDocument, tokens: stats.tokens.document, method: stats.tokens.method, documentChars: document.length, hits: stats.cache.hits, againSeconds })}\n`,
);
