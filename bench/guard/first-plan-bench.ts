// Time to the first plan with Prompt Guard on: `pnpm bench guard --repo DIR [--budget N] [--workers N] [--windows-only]`.
// Packs DIR for Scout the way a run does (packRepository with the run guard's content scanner, balanced policy,
// Prompt Guard on worker threads with the tiny Prompt-Guard-shaped int8 model from test/fixtures/models): cold (no
// .herd caches), warm (a new guard, the caches kept: the kept result answers), warm with another task (the pack
// cache answers; only files new to the document are scanned), and cold without Prompt Guard (local scanners only).
// It then measures the cost per 512-token window of the tiny model and of encoders of Prompt Guard 2 22M's and
// 86M's sizes, fp32 and int8, on the same workers, and projects the cold time for each. Deletes DIR/.herd before
// each cold run: point it at a scratch copy.
// --windows-only replaces the model by a scanner on this thread that only tokenizes (with the tiny model's
// tokenizer) and counts windows, for a repository too large to score on a loaded machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createO200kTokenCounter, localCacheSecret } from '../../packages/core/src/index.js';
import { packRepository } from '../../packages/engine/src/context/pack-repository.js';
import { createRunGuard } from '../../packages/engine/src/run/create-run-guard.js';
import { plannerPackBudget } from '../../packages/engine/src/settings/planner-pack-budget.js';
import {
  createGuard,
  createPromptGuardClassifier,
  createPromptGuardScanner,
  createPromptGuardWorkers,
  createScanCache,
  type PromptGuardScorer,
} from '../../packages/guard/src/index.js';
import { writeClassifierFixture } from '../../packages/guard/test/fixtures/classifier-fixture/write-classifier-fixture.js';
import { testModel } from '../../packages/guard/test/fixtures/test-models.js';

/** What Prompt Guard did during one pack. */
interface ModelUse {
  texts: number;
  windows: number;
  /** Tokens of every window Prompt Guard 2's own tokenizer would make, estimated from o200k counts. */
  realWindowTokens: number;
  realWindows: number;
  /** Wall time during which at least one call to Prompt Guard was under way. */
  ms: number;
}

const windowTokens = 512;
const contentPerWindow = windowTokens - 2;
const overlap = 64;
const estimate = createO200kTokenCounter({ mode: 'estimate' });

/** Windows and padded tokens a text of `tokens` content tokens makes (510 per window, 64 shared). */
function windowsOf(tokens: number): { windows: number; tokens: number } {
  const windows =
    tokens <= contentPerWindow
      ? 1
      : 1 + Math.ceil((tokens - contentPerWindow) / (contentPerWindow - overlap));
  return { windows, tokens: tokens + windows * 2 + (windows - 1) * overlap };
}

/** A scorer that records the windows it scores and the wall time during which it was busy. */
function metered(scorer: PromptGuardScorer, use: ModelUse): PromptGuardScorer {
  let inFlight = 0;
  let busySince = 0;
  return {
    ...scorer,
    async scoreTexts(texts) {
      if (inFlight++ === 0) busySince = performance.now();
      try {
        const scores = await scorer.scoreTexts(texts);
        use.texts += texts.length;
        for (const [index, score] of scores.entries()) {
          use.windows += score.windows;
          const real = windowsOf(estimate.count(texts[index] ?? ''));
          use.realWindows += real.windows;
          use.realWindowTokens += real.tokens;
        }
        return scores;
      } finally {
        if (--inFlight === 0) use.ms += performance.now() - busySince;
      }
    },
  };
}

/** A stand-in on this thread that tokenizes like the tiny model and counts windows, but scores nothing. */
async function countingOnly(): Promise<PromptGuardScorer> {
  const classifier = await createPromptGuardClassifier({ modelPath: testModel('tiny-promptguard') });
  return {
    ...classifier,
    fingerprint: `${classifier.fingerprint}:windows-only`,
    async scoreTexts(texts) {
      return texts.map((text) => {
        const tokens = Math.max(0, classifier.encode(text).length - 2);
        return { score: 0, windows: windowsOf(tokens).windows, tokens, worstWindowStart: 0 };
      });
    },
  };
}

/** Packs once with the run guard; `model: false` runs the local scanners only. */
async function packOnce(options: {
  root: string;
  budget: number;
  workers: number;
  task: string;
  model: 'tiny' | 'windows-only' | false;
}) {
  const use: ModelUse = { texts: 0, windows: 0, realWindowTokens: 0, realWindows: 0, ms: 0 };
  const loading = performance.now();
  const scorer =
    options.model === 'tiny'
      ? await createPromptGuardWorkers({ modelPath: testModel('tiny-promptguard'), workers: options.workers })
      : options.model === 'windows-only'
        ? await countingOnly()
        : undefined;
  const loadMs = performance.now() - loading;
  const guard = createGuard({
    policy: 'balanced',
    mode: 'act',
    ...(scorer ? { promptGuard: createPromptGuardScanner(metered(scorer, use)) } : {}),
    cache: createScanCache({
      directory: join(options.root, '.herd', 'cache', 'guard'),
      secret: localCacheSecret(),
    }),
    env: {},
  });
  const runGuard = createRunGuard({
    guard,
    mode: 'act',
    interactive: false,
    memory: { has: () => false, add: () => {} },
    emit: () => {},
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const packed = await packRepository({
    root: options.root,
    budget: options.budget,
    task: options.task,
    ...(runGuard.contentScanner ? { scanContent: runGuard.contentScanner } : {}),
    ...(runGuard.contentScannerKey ? { scanContentKey: runGuard.contentScannerKey } : {}),
  });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await scorer?.close();
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadMs,
    use,
    stats: packed.stats,
    modelFile: scorer?.modelFile ?? 'none',
  };
}

/** Cost per window of one pool configuration: wall time and CPU time of every thread of this process. */
interface WindowCost {
  ms: number;
  cpuMs: number;
}

/** A fixture of the given size in a temporary directory (the tiny test model needs none). */
async function withModel<T>(
  size: 'tiny' | 'xsmall' | 'base',
  precision: 'fp32' | 'int8',
  work: (modelPath: string) => Promise<T>,
): Promise<T> {
  if (size === 'tiny') return work(testModel('tiny-promptguard'));
  const directory = await mkdtemp(join(tmpdir(), `herd-bench-${size}-${precision}-`));
  try {
    await writeClassifierFixture({ directory, size, precision });
    return await work(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Cost per full 512-token window of each pool configuration, scoring `texts` with each in turn three times
 * (alternating, so a change in the machine's load favours none) and keeping each one's fastest round.
 */
async function perWindow(
  modelPath: string,
  configurations: ReadonlyArray<{ workers: number; threads: number }>,
  texts: readonly string[],
): Promise<WindowCost[]> {
  const pools = await Promise.all(
    configurations.map((configuration) => createPromptGuardWorkers({ modelPath, ...configuration })),
  );
  try {
    for (const pool of pools) await pool.scoreTexts(texts.slice(0, 4));
    const best = configurations.map(() => ({
      ms: Number.POSITIVE_INFINITY,
      cpuMs: Number.POSITIVE_INFINITY,
    }));
    for (let round = 0; round < 3; round++) {
      for (let turn = 0; turn < pools.length; turn++) {
        const index = (turn + round) % pools.length;
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const scores = await (pools[index] as PromptGuardScorer).scoreTexts(texts);
        const cpu = process.cpuUsage(cpuBefore);
        const windows = scores.reduce((sum, score) => sum + score.windows, 0);
        const cost = best[index] as WindowCost;
        cost.ms = Math.min(cost.ms, (performance.now() - started) / windows);
        cost.cpuMs = Math.min(cost.cpuMs, (cpu.user + cpu.system) / 1000 / windows);
      }
    }
    return best;
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

const seconds = (ms: number, digits = 1) => `${(ms / 1000).toFixed(digits)} s`;

/** Runs the measure and prints its table. */
export async function runFirstPlanBench(options: {
  repo: string;
  budget?: number;
  workers?: number;
  windowsOnly?: boolean;
}): Promise<void> {
  const { repo } = options;
  const cores = availableParallelism();
  const workers = options.workers ?? Math.max(1, Math.min(4, cores));
  const threads = Math.max(1, Math.floor(cores / workers));
  const windowsOnly = options.windowsOnly ?? false;
  const budget =
    options.budget ??
    plannerPackBudget({ contextWindow: 327_680, outputReserve: 8_192, promptTokens: 3_000 });
  const task = 'fix the crash when a decorator is applied to a class private method';
  const otherTask = 'make the parser report a clearer error for an unterminated template literal';
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
  console.log(
    `Machine: ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load ${load()} (1/5/15 min)`,
  );
  console.log(
    `Repository ${repo}, budget ${budget.toLocaleString('en-US')} tokens (Scout on Together), Prompt Guard on ${workers} worker threads × ${threads} intra-op threads\n`,
  );
  const model = windowsOnly ? 'windows-only' : 'tiny';
  await rm(join(repo, '.herd'), { recursive: true, force: true });
  const cold = await packOnce({ root: repo, budget, workers, task, model });
  const warm = await packOnce({ root: repo, budget, workers, task, model });
  const warmOther = await packOnce({ root: repo, budget, workers, task: otherTask, model });
  await rm(join(repo, '.herd'), { recursive: true, force: true });
  const local = await packOnce({ root: repo, budget, workers, task, model: false });
  const { stats } = cold;
  console.log(
    `cold: ${seconds(cold.ms)} (${stats.mode}; ${stats.files.included} files selected, ${stats.files.inDocument} in full; ${cold.use.texts} texts scanned by Prompt Guard (files in full and map symbol lists), ${cold.use.windows} tiny-tokenizer windows; Prompt Guard busy ${seconds(cold.use.ms)} ${windowsOnly ? 'tokenizing only (--windows-only)' : `with ${cold.modelFile}`}; workers loaded in ${seconds(cold.loadMs)} before the pack)`,
  );
  console.log(`warm (same task, kept result): ${seconds(warm.ms, 2)} (${warm.use.texts} texts scanned)`);
  console.log(
    `warm (another task, pack cache): ${seconds(warmOther.ms, 2)} (${warmOther.use.texts} texts scanned, ${warmOther.use.windows} windows, Prompt Guard busy ${seconds(warmOther.use.ms, 2)})`,
  );
  console.log(`cold without Prompt Guard (local scanners only): ${seconds(local.ms)}; load now ${load()}`);

  const sample = Array.from(
    { length: 8 * workers },
    (_, index) =>
      `const value${index} = compute(${index}); // ${'the parser keeps every token of the source text in a list '.repeat(40)}`,
  );
  const chosen = { workers, threads };
  const alone = { workers: 1, threads: cores };
  const costs: Array<[string, WindowCost]> = [];
  for (const [name, size, precision] of [
    ['tiny (int8)', 'tiny', 'int8'],
    ['22M-size (fp32)', 'xsmall', 'fp32'],
    ['22M-size (int8)', 'xsmall', 'int8'],
    ['86M-size (fp32)', 'base', 'fp32'],
    ['86M-size (int8)', 'base', 'int8'],
  ] as const) {
    const compare = name === '22M-size (int8)' && (workers !== 1 || threads !== cores);
    const [cost, single] = await withModel(size, precision, (modelPath) =>
      perWindow(modelPath, compare ? [chosen, alone] : [chosen], sample),
    );
    costs.push([name, cost as WindowCost]);
    if (single) {
      console.log(
        `\n22M-size int8 per full window: ${workers} workers × ${threads} threads ${cost?.ms.toFixed(1)} ms, one session × ${cores} threads ${single.ms.toFixed(1)} ms (alternating, fastest of three)`,
      );
    }
  }
  console.log(`load now ${load()}`);
  const fullWindows = cold.use.realWindowTokens / windowTokens;
  const otherWindows = warmOther.use.realWindowTokens / windowTokens;
  console.log(
    `Prompt Guard 2's tokenizer would make about ${cold.use.realWindows.toLocaleString('en-US')} windows of what reaches Scout (${Math.round(fullWindows).toLocaleString('en-US')} full-window equivalents, estimated from o200k counts); another task adds ${warmOther.use.realWindows.toLocaleString('en-US')} (${Math.round(otherWindows)} full).`,
  );
  console.log(
    `Pack without the model: ${seconds(local.ms)} wall, ${seconds(local.cpuMs)} CPU. Idle-machine bound below: (CPU of the pack without the model + windows × CPU per window) ÷ ${cores} cores, a lower bound, not a measurement.`,
  );
  console.log(
    '\n| model | ms per full window (wall, pool) | CPU ms per window | projected cold (wall) | idle-machine bound, cold | measured cold | warm, same task | projected warm, another task |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, cost] of costs) {
    // The tiny model is projected with its own tokenizer's windows, the others with Prompt Guard 2's (estimated).
    const tiny = name.startsWith('tiny');
    const windows = tiny ? cold.use.windows : fullWindows;
    const other = tiny ? warmOther.use.windows : otherWindows;
    const measured = tiny && !windowsOnly ? seconds(cold.ms) : '—';
    console.log(
      `| ${name} | ${cost.ms.toFixed(1)} | ${cost.cpuMs.toFixed(1)} | ${seconds(local.ms + windows * cost.ms)} | ${seconds((local.cpuMs + windows * cost.cpuMs) / cores)} | ${measured} | ${seconds(warm.ms, 2)} | ${seconds(warmOther.ms - warmOther.use.ms + other * cost.ms)} |`,
    );
  }
}
