// Benchmarks @herd/tools: dispatcher overhead per call, and `search` over a large real repository against
// plain ripgrep on the same queries, printed side by side with ratios.
//
// Usage (from the repository root, after `npx tsc -b packages/tools`):
//   node bench/tools/run-tools-bench.mjs [repository]
// The repository defaults to bench/.repos/babel (gitignored). To create it from a bare git directory:
//   mkdir -p bench/.repos/babel && git --git-dir=<bare repo> archive HEAD | tar -x -C bench/.repos/babel
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tools = await import(resolve(here, '../../packages/tools/dist/index.js'));
// bench/ is not a package: zod is resolved from @herd/tools' dependencies.
const { z } = await import(resolve(here, '../../packages/tools/node_modules/zod/index.js'));
const repository = resolve(process.argv[2] ?? resolve(here, '../.repos/babel'));
const runs = Number(process.env.BENCH_RUNS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
};
const format = (value, digits = 1) => value.toFixed(digits).padStart(9);

console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);

// ---- Dispatcher overhead ----
{
  const input = z.object({
    path: z.string(),
    startLine: z.number().int().min(1).optional(),
    flags: z.array(z.string()).default([]),
  });
  const noop = tools.defineTool({
    name: 'noop',
    description: 'Does nothing.',
    input,
    access: 'read',
    run: () => 'ok',
  });
  const dispatcher = tools.createToolDispatcher({ registry: tools.createToolRegistry({ tools: [noop] }) });
  const argumentsJson = JSON.stringify({ path: 'src/index.ts', startLine: 3, flags: ['a', 'b'] });
  const calls = 50_000;
  const direct = async () => {
    const parsed = input.parse(JSON.parse(argumentsJson));
    return noop.run(parsed, { signal: new AbortController().signal, approved: false, callId: undefined });
  };
  for (let index = 0; index < 5_000; index += 1) {
    await dispatcher.dispatch({ name: 'noop', arguments: argumentsJson });
    await direct();
  }
  const timeIt = async (work) => {
    const started = performance.now();
    for (let index = 0; index < calls; index += 1) await work();
    return ((performance.now() - started) * 1000) / calls;
  };
  const dispatch = () => dispatcher.dispatch({ name: 'noop', arguments: argumentsJson });
  const dispatched = median([await timeIt(dispatch), await timeIt(dispatch), await timeIt(dispatch)]);
  const bare = median([await timeIt(direct), await timeIt(direct), await timeIt(direct)]);
  console.log('\nDispatcher, per call (JSON string arguments, zod validation, no-op tool):');
  console.log(`  herd dispatcher        ${format(dispatched, 2)} µs`);
  console.log(`  JSON.parse + zod parse ${format(bare, 2)} µs   ratio ${(dispatched / bare).toFixed(2)}×`);
}

// ---- search vs ripgrep ----
if (!existsSync(repository)) {
  console.log(
    `\nSkipping search: ${repository} does not exist (see the usage note at the top of this file).`,
  );
  process.exit(0);
}
const rg = spawnSync('rg', ['--version'], { encoding: 'utf8' });
if (rg.status !== 0) {
  console.log('\nSkipping search: ripgrep (rg) is not installed (apt-get install -y ripgrep).');
  process.exit(0);
}
console.log(`\nsearch over ${repository} (${rg.stdout.split('\n')[0]}), median of ${runs} runs, wall ms:`);
const jail = await tools.createWorkspaceJail({ root: repository, defaultDeny: true });
const engines = {
  ripgrep: tools.createToolDispatcher({
    registry: tools.createToolRegistry({ tools: [tools.createSearchTool({ jail, engine: 'ripgrep' })] }),
  }),
  walker: tools.createToolDispatcher({
    registry: tools.createToolRegistry({ tools: [tools.createSearchTool({ jail, engine: 'walker' })] }),
  }),
};
const queries = [
  {
    label: 'literal, rare',
    arguments: { pattern: 'isReferencedIdentifier', literal: true, maxResults: 2000 },
  },
  { label: 'regex, common', arguments: { pattern: 'export function \\w+Expression\\(', maxResults: 2000 } },
  { label: 'case-insensitive', arguments: { pattern: 'sourcemap', caseSensitive: false, maxResults: 2000 } },
];
const rgArgs = (query) => [
  '--no-config',
  '--hidden',
  '--no-require-git',
  '--max-filesize',
  '4M',
  '--line-number',
  '--glob',
  '!.git',
  ...(query.literal ? ['--fixed-strings'] : []),
  ...(query.caseSensitive === false ? ['--ignore-case'] : []),
  '--regexp',
  query.pattern,
  '.',
];
console.log(
  `  ${'query'.padEnd(18)} ${'matches rg/herd(rg)/herd(js)'.padStart(12)} ${'rg'.padStart(9)} ${'herd(rg)'.padStart(9)} ${'ratio'.padStart(6)} ${'herd(js)'.padStart(9)} ${'ratio'.padStart(7)}`,
);
for (const query of queries) {
  const rgTimes = [];
  let rgMatches = 0;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const result = spawnSync('rg', rgArgs(query.arguments), {
      cwd: repository,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    rgTimes.push(performance.now() - started);
    rgMatches = result.stdout.split('\n').filter(Boolean).length;
  }
  const timings = {};
  const herdMatches = {};
  for (const [name, dispatcher] of Object.entries(engines)) {
    const times = [];
    for (let run = 0; run < (name === 'walker' ? Math.min(runs, 3) : runs); run += 1) {
      const started = performance.now();
      const result = await dispatcher.dispatch({ name: 'search', arguments: query.arguments });
      times.push(performance.now() - started);
      if (!result.ok) throw new Error(result.content);
      herdMatches[name] = result.data.matches.length;
    }
    timings[name] = median(times);
  }
  const rgMedian = median(rgTimes);
  console.log(
    `  ${query.label.padEnd(18)} ${`${rgMatches}/${herdMatches.ripgrep}/${herdMatches.walker}`.padStart(12)} ${format(rgMedian)} ${format(timings.ripgrep)} ${`${(timings.ripgrep / rgMedian).toFixed(2)}×`.padStart(6)} ${format(timings.walker)} ${`${(timings.walker / rgMedian).toFixed(1)}×`.padStart(7)}`,
  );
}
