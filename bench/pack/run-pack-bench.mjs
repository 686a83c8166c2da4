// Herd's repository packer against Repomix, through what users run: the built `herd pack` CLI writing the
// document with --out (and the public library API for a repack in a running process), beside Repomix's CLI
// writing its plain output. Every run of a row is paired with a Repomix run of the same round, rounds alternate
// which side goes first, and each figure is a median with its range.
//
// Usage (from the repository root, after `pnpm install` and `pnpm build`):
//   node bench/pack/run-pack-bench.mjs [--runs N] [--rows a,b,...] <repository>...
// <repository> is a work tree, a bare git directory (such as one made by `git clone --bare`) or a git URL; anything
// that is not a work tree is cloned (depth 1) into $BENCH_REPOS/<name> (default <temporary directory>/herd-bench),
// outside this repository. Rows (default: all but the library row on a repository of over 50K files):
//   whole-cold    herd pack --budget 1000000000 --out F, the pack cache removed first
//   whole-warm    the same again on the unchanged tree (the kept document is copied to F)
//   exact-cold    herd pack --budget 1000000000 --exact --out F, cache removed
//   default-cold  herd pack --out F: the default budget (300K tokens without a configured planner), cache removed
//   default-warm  the same again
//   library-warm  packRepository() from @herd/engine called twice in one process; the second call (the document
//                 as a string, as an editor backend or a library user gets it)
// BENCH_RUNS=N is the same as --runs N (default 3). Outputs go to bench/.work/ (gitignored). A failing command is
// reported with its output and the bench exits non-zero after printing what it measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, formatSummary, loadNow, summarize } from '../sample-summary.mjs';
import { compareFileLists } from './compare-file-lists.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(here, '../..');
const reposDirectory = resolve(process.env.BENCH_REPOS ?? join(tmpdir(), 'herd-bench'));
const workDirectory = resolve(here, '../.work');
const repomix = join(here, 'node_modules/repomix/bin/repomix.cjs');
const repomixVersion = JSON.parse(
  readFileSync(join(here, 'node_modules/repomix/package.json'), 'utf8'),
).version;
// The command users run: the package's bin, which runs the bundle `pnpm build` makes.
const herdCli = join(repositoryRoot, 'packages/engine/bin/herd.js');
const libraryRepack = join(here, 'library-repack.mjs');
const big = '1000000000';

const argv = process.argv.slice(2);
const option = (name) => {
  const index = argv.indexOf(name);
  if (index === -1) return undefined;
  const [value] = argv.splice(index, 2).slice(1);
  return value;
};
const runs = Number(option('--runs') ?? process.env.BENCH_RUNS ?? 3);
const rowsOption = option('--rows');
const sources = argv;
if (sources.length === 0 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: node bench/pack/run-pack-bench.mjs [--runs N] [--rows a,b,...] <repository>...');
  process.exit(2);
}
for (const needed of [repomix, herdCli]) {
  if (!existsSync(needed)) {
    console.error(`bench: ${needed} is missing; run \`pnpm install\` and \`pnpm build\` first.`);
    process.exit(2);
  }
}
mkdirSync(workDirectory, { recursive: true });

/** A work tree for a source: itself, or a shallow clone of it under bench/.repos. */
function materialize(source) {
  if (existsSync(join(source, '.git'))) return resolve(source);
  const bare = existsSync(join(source, 'HEAD')) && existsSync(join(source, 'objects'));
  const name = basename(
    source
      .replace(/\/repo\/?$/, '')
      .replace(/\.git$/, '')
      .replace(/\/$/, ''),
  ).replace(/^.*\+/, '');
  const target = join(reposDirectory, name);
  if (!existsSync(target)) {
    mkdirSync(reposDirectory, { recursive: true });
    const from = bare || existsSync(source) ? `file://${resolve(source)}` : source;
    execFileSync('git', ['clone', '--quiet', '--depth', '1', from, target], { stdio: 'inherit' });
  }
  return target;
}

/** An environment without a configured provider, so `herd pack` uses its documented fallback budget. */
const herdEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('HERD_') && !name.endsWith('_API_KEY')),
);

/**
 * Runs a command under GNU time. Wall time is taken here (GNU time's has 10 ms steps); peak RSS and CPU time (user
 * + system, every thread and child process) are GNU time's. Throws with the command's output on failure.
 */
function measure(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '__time__ %e %M %U %S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const match = /__time__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  if (result.error || result.status !== 0 || !match) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `\`${[command, ...args].join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}):\n${output}`,
    );
  }
  return {
    seconds,
    rssMb: Number(match[2]) / 1024,
    cpuSeconds: Number(match[3]) + Number(match[4]),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Fails unless the command left a non-empty output file. */
function checkOutput(path) {
  if (!existsSync(path) || statSync(path).size === 0)
    throw new Error(`the output ${path} is missing or empty`);
  return statSync(path).size;
}

const clearHerdCache = (root) => rmSync(join(root, '.herd'), { recursive: true, force: true });
const number = (text) => Number(text.replaceAll(',', ''));

/** Runs `herd pack` as a person would and reads its figures from the stats table it prints. */
function runHerd(root, output, args) {
  rmSync(output, { force: true });
  const measured = measure(process.execPath, [herdCli, 'pack', '--root', root, ...args, '--out', output], {
    env: herdEnvironment,
  });
  const table = measured.stderr;
  const files = /^files included\s+([\d,]+)/m.exec(table)?.[1];
  const tokens = /^tokens \(document\)\s+([\d,]+)/m.exec(table)?.[1];
  const mode = /^mode\s+(.+)$/m.exec(table)?.[1];
  if (!files || !tokens) throw new Error(`herd pack printed no stats table:\n${table.slice(-2000)}`);
  return {
    ...measured,
    bytes: checkOutput(output),
    figures: {
      files: number(files),
      tokens: number(tokens),
      mode: mode?.startsWith('whole') ? 'whole' : 'map',
    },
  };
}

/** Runs Repomix with its defaults and plain output, as its users run it. */
function runRepomix(root, output) {
  // The repositories do not ignore .herd; Repomix would pack Herd's cache too.
  clearHerdCache(root);
  rmSync(output, { force: true });
  const measured = measure(
    process.execPath,
    [repomix, '--style', 'plain', '--token-count-encoding', 'o200k_base', '--output', output],
    { cwd: root },
  );
  const plain = measured.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const files = /Total Files:\s*([\d,]+)/.exec(plain)?.[1];
  const tokens = /Total Tokens:\s*([\d,]+)/.exec(plain)?.[1];
  if (!files || !tokens) throw new Error(`Repomix printed no summary:\n${plain.slice(-2000)}`);
  return {
    ...measured,
    bytes: checkOutput(output),
    figures: { files: number(files), tokens: number(tokens) },
  };
}

/** The library row: the second of two packRepository() calls in one process. */
function runLibrary(root) {
  const measured = measure(process.execPath, [libraryRepack, root, big], { env: herdEnvironment });
  const figures = JSON.parse(measured.stdout.trim().split('\n').at(-1));
  return { ...measured, seconds: figures.againSeconds, rssMb: Number.NaN, cpuSeconds: Number.NaN, figures };
}

const rowDefinitions = [
  { name: 'whole-cold', label: 'herd whole, cold', clear: true, args: ['--budget', big] },
  { name: 'whole-warm', label: 'herd whole, warm (unchanged tree)', clear: false, args: ['--budget', big] },
  { name: 'exact-cold', label: 'herd whole --exact, cold', clear: true, args: ['--budget', big, '--exact'] },
  { name: 'default-cold', label: 'herd default budget, cold', clear: true, args: [] },
  { name: 'default-warm', label: 'herd default budget, warm', clear: false, args: [] },
  { name: 'library-warm', label: 'library repack, running process', library: true },
];

let failed = false;
console.log(`Machine: ${describeMachine()}`);
console.log(`Repomix ${repomixVersion} (--style plain --token-count-encoding o200k_base); herd ${herdCli}`);
for (const source of sources) {
  const root = materialize(source);
  const name = basename(root);
  const trackedFiles = execFileSync('git', ['-C', root, 'ls-files', '-z'], { maxBuffer: 1 << 30 })
    .toString()
    .split('\0').length;
  const wanted = rowsOption
    ? rowsOption.split(',')
    : rowDefinitions.map((row) => row.name).filter((row) => row !== 'library-warm' || trackedFiles < 50_000);
  const rows = rowDefinitions.filter((row) => wanted.includes(row.name));
  const samples = new Map([['repomix', []], ...rows.map((row) => [row.name, []])]);
  const loads = [loadNow()];
  const attempt = (rowName, work) => {
    try {
      const sample = work();
      samples.get(rowName).push(sample);
      return sample;
    } catch (error) {
      failed = true;
      console.error(`\n${name} ${rowName}: ${error.message}`);
      return undefined;
    }
  };
  const repomixOutput = join(workDirectory, `${name}-repomix.txt`);
  for (let run = 0; run < runs; run++) {
    const herdRows = () => {
      for (const row of rows) {
        if (row.library) {
          attempt(row.name, () => runLibrary(root));
          continue;
        }
        if (row.clear) clearHerdCache(root);
        attempt(row.name, () => runHerd(root, join(workDirectory, `${name}-${row.name}.txt`), row.args));
      }
    };
    // Alternate which side goes first, so that a drift in the machine's load does not favour one side.
    if (run % 2 === 0) {
      attempt('repomix', () => runRepomix(root, repomixOutput));
      herdRows();
    } else {
      herdRows();
      attempt('repomix', () => runRepomix(root, repomixOutput));
    }
    loads.push(loadNow());
    process.stderr.write(`${name}: round ${run + 1} of ${runs} done (load ${loadNow().toFixed(1)})\n`);
  }
  report({ name, root, rows, samples, loads, repomixOutput });
}
process.exit(failed ? 1 : 0);

/** Prints one repository's table, and how Herd's files differ from Repomix's. */
function report({ name, root, rows, samples, loads, repomixOutput }) {
  const anchor = samples.get('repomix');
  const load = summarize(loads);
  console.log(
    `\n${name}: ${runs} interleaved round${runs === 1 ? '' : 's'}, median (min–max); load average ${formatSummary(load, 1)} during the runs`,
  );
  console.log(
    '| run | wall time | ratio to Repomix (pairs) | CPU time | CPU ratio | peak RSS | RSS ratio | files | tokens |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const measuredAll = (measured, field) => measured.every((sample) => Number.isFinite(sample[field]));
  const line = (label, measured, ratios) => {
    const last = measured.at(-1);
    const time = summarize(measured.map((sample) => sample.seconds));
    const cpu = measuredAll(measured, 'cpuSeconds')
      ? formatSummary(summarize(measured.map((sample) => sample.cpuSeconds)), 2, ' s')
      : '—';
    const rss = measuredAll(measured, 'rssMb')
      ? formatSummary(summarize(measured.map((sample) => sample.rssMb)), 0, ' MB')
      : '—';
    const figures = last.figures;
    const mode = figures.mode ? ` (${figures.mode})` : '';
    console.log(
      `| ${label} | ${formatSummary(time, 3, ' s')} | ${ratios.time} | ${cpu} | ${ratios.cpu} | ${rss} | ${ratios.rss} | ${figures.files ?? '—'} | ${figures.tokens ?? '—'}${mode} |`,
    );
  };
  if (anchor.length === 0) {
    console.log('(Repomix failed on every run: no ratios)');
  } else {
    line(`Repomix ${repomixVersion}`, anchor, { time: '1', cpu: '1', rss: '1' });
  }
  for (const row of rows) {
    const measured = samples.get(row.name);
    if (measured.length === 0) {
      console.log(`| ${row.label} | failed | | | | | | | |`);
      continue;
    }
    const ratios = { time: '—', cpu: '—', rss: '—' };
    const ofMedians = (field) =>
      (
        summarize(measured.map((sample) => sample[field])).median /
        summarize(anchor.map((sample) => sample[field])).median
      ).toFixed(2);
    if (anchor.length > 0) {
      const pairs = measured
        .map((sample, index) => (anchor[index] ? sample.seconds / anchor[index].seconds : undefined))
        .filter((value) => value !== undefined);
      const time = summarize(measured.map((sample) => sample.seconds)).median;
      const paired = summarize(pairs);
      const range = paired.count > 1 ? ` (${paired.min.toFixed(3)}–${paired.max.toFixed(3)})` : '';
      ratios.time = `${(time / summarize(anchor.map((sample) => sample.seconds)).median).toFixed(3)}${range}`;
      if (measuredAll(measured, 'cpuSeconds')) ratios.cpu = ofMedians('cpuSeconds');
      if (measuredAll(measured, 'rssMb')) ratios.rss = ofMedians('rssMb');
    }
    line(row.label, measured, ratios);
  }
  if (anchor.length > 0) {
    try {
      const difference = compareFileLists({
        herdCli,
        root,
        repomixOutput,
        environment: herdEnvironment,
        workDirectory,
      });
      console.log(
        `\n${name}: files Repomix packs and Herd leaves out, by Herd's reason (from herd pack --json):`,
      );
      for (const line of difference) console.log(`  ${line}`);
    } catch (error) {
      failed = true;
      console.error(`\n${name}: comparing file lists failed: ${error.message}`);
    }
  }
  clearHerdCache(root);
}
