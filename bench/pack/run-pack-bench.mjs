// Herd's repository packer against Repomix on the same repositories, side by side, in one run.
//
// Usage (from the repository root, after `pnpm install` and `npx tsc -b packages/engine`):
//   node bench/pack/run-pack-bench.mjs <repository>...
// Each <repository> is a local path or a git URL; anything that is not already a directory under bench/.repos/
// is cloned there (`git clone --depth 1`), so that both tools pack the same git work tree. Example:
//   node bench/pack/run-pack-bench.mjs https://github.com/colinhacks/zod https://github.com/eslint/eslint \
//     https://github.com/babel/babel
// Wall time and peak RSS come from /usr/bin/time (GNU time), for the whole process of each tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const reposDirectory = resolve(here, '../.repos');
const repomix = join(here, 'node_modules/repomix/bin/repomix.cjs');
const herdOnce = join(here, 'herd-pack-once.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 1);
// BENCH_BASELINE_DIST=<another build's packages/engine/dist> adds rows for that build, measured in the same run.
const baselineDist = process.env.BENCH_BASELINE_DIST;

function materialize(source) {
  if (existsSync(source) && existsSync(join(source, '.git'))) return resolve(source);
  const name = basename(source.replace(/\.git$/, '').replace(/\/$/, ''));
  const target = join(reposDirectory, name);
  if (!existsSync(target)) {
    mkdirSync(reposDirectory, { recursive: true });
    execFileSync('git', ['clone', '--quiet', '--depth', '1', source, target], { stdio: 'inherit' });
  }
  return target;
}

/**
 * Runs a command under GNU time; returns wall seconds (measured here to the microsecond: time's own figure has
 * 10 ms steps, too coarse for a 70 ms repack), peak RSS in MB and stdout.
 */
function measure(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '__time__ %e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const match = /__time__ ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match)
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.slice(-2000)}`);
  return { seconds, rssMb: Number(match[2]) / 1024, stdout: result.stdout };
}

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Sorts samples into rows: the median time and the highest peak RSS of each label. */
function summarize(samples) {
  return [...samples].map(([label, measured]) => ({
    label,
    seconds: median(measured.map((sample) => sample.seconds)),
    rssMb: Math.max(...measured.map((sample) => sample.rssMb)),
    last: measured.at(-1),
  }));
}

const clearHerdCache = (root) => rmSync(join(root, '.herd'), { recursive: true, force: true });
const herd = (root, args, baseline = false) => {
  const environment = baseline ? { ...process.env, BENCH_HERD_DIST: baselineDist } : process.env;
  const measured = measure(process.execPath, [herdOnce, root, ...args], { env: environment });
  return { ...measured, figures: JSON.parse(measured.stdout.trim().split('\n').at(-1)) };
};

const sources = process.argv.slice(2);
if (sources.length === 0) {
  console.error('usage: node bench/pack/run-pack-bench.mjs <path-or-git-url>...');
  process.exit(2);
}
const big = '1000000000';
for (const source of sources) {
  const root = materialize(source);
  const name = basename(root);
  const output = join('/tmp', `repomix-${name}.xml`);
  const runRepomix = () => {
    // Herd's cache under .herd/ is not gitignored in these repositories: Repomix would pack it too.
    clearHerdCache(root);
    const measured = measure(
      process.execPath,
      [repomix, '--output', output, '--token-count-encoding', 'o200k_base', '--no-file-summary'],
      { cwd: root },
    );
    const plain = measured.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    const files = Number(/Total Files:\s*([\d,]+)/.exec(plain)?.[1]?.replaceAll(',', '') ?? Number.NaN);
    const tokens = Number(/Total Tokens:\s*([\d,]+)/.exec(plain)?.[1]?.replaceAll(',', '') ?? Number.NaN);
    return { ...measured, figures: { files, tokens } };
  };
  // Runs are interleaved (Repomix, then each Herd row, then again), so that a change in the machine's load
  // during the bench moves both sides of a ratio alike.
  const samples = new Map();
  const add = (label, sample) => samples.set(label, [...(samples.get(label) ?? []), sample]);
  for (let run = 0; run < runs; run++) {
    add('repomix', runRepomix());
    for (const baseline of baselineDist ? [true, false] : [false]) {
      const prefix = baseline ? 'before: ' : '';
      clearHerdCache(root);
      add(`${prefix}herd default, cold`, herd(root, [big], baseline));
      add(`${prefix}herd warm repack`, herd(root, [big], baseline));
      // The same repack in a process that is already running (the editor backend, a library user), without Node's
      // start: the second pack of a process that packs twice.
      const again = herd(root, [big, '--again'], baseline);
      add(`${prefix}herd warm, running process`, { ...again, seconds: again.figures.againSeconds });
      clearHerdCache(root);
      add(`${prefix}herd --exact, cold`, herd(root, [big, '--exact'], baseline));
      clearHerdCache(root);
      add(
        `${prefix}herd map into 128K, cold`,
        herd(root, ['128000', '--task', 'fix a bug in the parser error recovery'], baseline),
      );
    }
  }
  const [repo, ...rows] = summarize(samples);
  clearHerdCache(root);
  const lines = [
    `\n${name} (${runs} run${runs === 1 ? '' : 's'} each, median wall time, peak RSS)`,
    `  ${'repomix 1.14.0'.padEnd(33)} ${repo.seconds.toFixed(3)} s  ${repo.rssMb.toFixed(0)} MB  files ${repo.last.figures.files}  tokens ${repo.last.figures.tokens}`,
  ];
  for (const entry of rows) {
    const figures = entry.last.figures;
    lines.push(
      `  ${entry.label.padEnd(33)} ${entry.seconds.toFixed(3)} s  ${entry.rssMb.toFixed(0)} MB  files ${figures.files}  tokens ${figures.tokens} (${figures.mode}, ${figures.method})` +
        `  time ×${(entry.seconds / repo.seconds).toFixed(3)}  RSS ×${(entry.rssMb / repo.rssMb).toFixed(2)}` +
        `  files ×${(figures.files / repo.last.figures.files).toFixed(3)}  tokens ×${(figures.tokens / repo.last.figures.tokens).toFixed(3)}`,
    );
  }
  console.log(lines.join('\n'));
}
