// Benchmarks @herd/tools through its public API: dispatcher overhead per call, and `search` over a large real
// repository against plain ripgrep on the same queries. The two sides of each comparison run alternately, round
// after round (which goes first alternates too), and each figure is a median with its range; ratios are medians
// of the rounds' paired ratios with a 95% interval.
//
// Usage (from the repository root, after `pnpm build`):
//   pnpm bench tools [repository]        (BENCH_RUNS=N rounds, default 7)
// The repository defaults to $BENCH_REPOS/babel (default <temporary directory>/herd-bench/babel), where
// `pnpm bench pack <bare git directory or URL of babel>` clones it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tools from '@herd/tools';
import { z } from 'zod';
import { describeMachine, loadNow, medianInterval, summarize } from '../sample-summary.mjs';

const repository = resolve(
  process.argv[2] ?? join(process.env.BENCH_REPOS ?? join(tmpdir(), 'herd-bench'), 'babel'),
);
const runs = Number(process.env.BENCH_RUNS ?? 7);

const format = (value, digits = 1) => value.toFixed(digits);
const range = (values, digits = 1) => {
  const summary = summarize(values);
  return `${format(summary.median, digits)} (${format(summary.min, digits)}–${format(summary.max, digits)})`;
};
const ratio = (left, right) => {
  const interval = medianInterval(left.map((value, index) => value / right[index]));
  const bounds = Number.isFinite(interval.low)
    ? `95%: ${interval.low.toFixed(2)}–${interval.high.toFixed(2)}`
    : 'too few rounds for a 95% interval';
  return `${interval.median.toFixed(2)}× (${bounds})`;
};

console.log(`Machine: ${describeMachine()}`);

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
  const dispatched = [];
  const bare = [];
  for (let round = 0; round < runs; round += 1) {
    if (round % 2 === 0) {
      dispatched.push(await timeIt(dispatch));
      bare.push(await timeIt(direct));
    } else {
      bare.push(await timeIt(direct));
      dispatched.push(await timeIt(dispatch));
    }
  }
  console.log(
    `\nDispatcher, per call (JSON string arguments, zod validation, no-op tool), ${runs} rounds of ${calls} calls:`,
  );
  console.log(`  herd dispatcher        ${range(dispatched, 2)} µs`);
  console.log(`  JSON.parse + zod parse ${range(bare, 2)} µs`);
  console.log(`  ratio ${ratio(dispatched, bare)}; load ${loadNow().toFixed(1)}`);
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
console.log(
  `\nsearch over ${repository} (${rg.stdout.split('\n')[0]}), ${runs} interleaved rounds (the walker ${Math.min(runs, 3)}), wall ms, median (min–max):`,
);
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
const walkerRuns = Math.min(runs, 3);
for (const query of queries) {
  const rgTimes = [];
  const herdTimes = [];
  const walkerTimes = [];
  const matches = {};
  const runRg = () => {
    const started = performance.now();
    const result = spawnSync('rg', rgArgs(query.arguments), {
      cwd: repository,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    rgTimes.push(performance.now() - started);
    if (result.status !== 0 && result.status !== 1) throw new Error(`rg failed: ${result.stderr}`);
    matches.rg = result.stdout.split('\n').filter(Boolean).length;
  };
  const runHerd = async (name, times) => {
    const started = performance.now();
    const result = await engines[name].dispatch({ name: 'search', arguments: query.arguments });
    times.push(performance.now() - started);
    if (!result.ok) throw new Error(`search (${name}) failed: ${result.content}`);
    matches[name] = result.data.matches.length;
  };
  // Interleaved rounds; the pure JavaScript walker (seconds per query) only in the first few.
  for (let round = 0; round < runs; round += 1) {
    const sides = [runRg, () => runHerd('ripgrep', herdTimes)];
    if (round < walkerRuns) sides.push(() => runHerd('walker', walkerTimes));
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  console.log(
    `\n  ${query.label}: matches rg ${matches.rg}, herd(rg) ${matches.ripgrep}, herd(js) ${matches.walker}; load ${loadNow().toFixed(1)}`,
  );
  console.log(`    rg        ${range(rgTimes)} ms`);
  console.log(`    herd(rg)  ${range(herdTimes)} ms, ratio ${ratio(herdTimes, rgTimes)}`);
  console.log(
    `    herd(js)  ${range(walkerTimes)} ms, ratio ${ratio(walkerTimes, rgTimes.slice(0, walkerRuns))}`,
  );
}
