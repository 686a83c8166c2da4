// Time to the first plan with Prompt Guard on: `pnpm bench guard --repo DIR [--budget N] [--threads N]`.
// Packs DIR for Scout the way a run does (packRepository with the run guard's content scanner, balanced policy,
// the tiny Prompt-Guard-shaped model from test/fixtures/models), cold (no .herd caches) and warm (a new guard and
// classifier, the caches kept), then projects the time for Prompt Guard 2 22M and 86M from each size's measured cost
// per 512-token window. Deletes DIR/.herd before the cold run: point it at a scratch copy.
// --windows-only replaces the model by a scanner that only tokenizes (with the tiny model's tokenizer) and counts
// windows, for a repository too large to score on a loaded machine: every model's time is then projected, the tiny
// one's included, from its measured cost per window.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createO200kTokenCounter } from '../../packages/core/src/index.js';
import { packRepository } from '../../packages/engine/src/context/pack-repository.js';
import { createRunGuard } from '../../packages/engine/src/run/create-run-guard.js';
import { plannerPackBudget } from '../../packages/engine/src/settings/planner-pack-budget.js';
import {
  createGuard,
  createPromptGuardClassifier,
  createPromptGuardScanner,
  createScanCache,
  type PromptGuardClassifier,
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

/** A classifier that records the windows it scores and the time it spends. */
function metered(classifier: PromptGuardClassifier, use: ModelUse): PromptGuardClassifier {
  return {
    ...classifier,
    async scoreTexts(texts) {
      const started = performance.now();
      const scores = await classifier.scoreTexts(texts);
      use.ms += performance.now() - started;
      use.texts += texts.length;
      for (const [index, score] of scores.entries()) {
        use.windows += score.windows;
        const real = windowsOf(estimate.count(texts[index] ?? ''));
        use.realWindows += real.windows;
        use.realWindowTokens += real.tokens;
      }
      return scores;
    },
  };
}

/** A stand-in that tokenizes like the classifier and counts windows, but scores nothing (always 0). */
function countingOnly(classifier: PromptGuardClassifier): PromptGuardClassifier {
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

async function packOnce(options: {
  root: string;
  budget: number;
  threads: number;
  task: string;
  windowsOnly: boolean;
}) {
  const use: ModelUse = { texts: 0, windows: 0, realWindowTokens: 0, realWindows: 0, ms: 0 };
  const classifier = await createPromptGuardClassifier({
    modelPath: testModel('tiny-promptguard'),
    threads: options.threads,
  });
  const scorer = options.windowsOnly ? countingOnly(classifier) : classifier;
  const guard = createGuard({
    policy: 'balanced',
    mode: 'act',
    promptGuard: createPromptGuardScanner(metered(scorer, use)),
    cache: createScanCache({ directory: join(options.root, '.herd', 'cache', 'guard') }),
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
  const packed = await packRepository({
    root: options.root,
    budget: options.budget,
    task: options.task,
    ...(runGuard.contentScanner ? { scanContent: runGuard.contentScanner } : {}),
    ...(runGuard.contentScannerKey ? { scanContentKey: runGuard.contentScannerKey } : {}),
  });
  const ms = performance.now() - started;
  await classifier.close();
  return { ms, use, stats: packed.stats, modelFile: classifier.model.modelFile };
}

/** Milliseconds per full 512-token window of an encoder of a given size, scored in the classifier's batches. */
async function perWindowMs(
  size: 'tiny' | 'xsmall' | 'base',
  threads: number,
  texts: readonly string[],
): Promise<number> {
  const directory = await mkdtemp(join(tmpdir(), `herd-bench-${size}-`));
  try {
    if (size !== 'tiny') await writeClassifierFixture({ directory, size });
    const classifier = await createPromptGuardClassifier({
      modelPath: size === 'tiny' ? testModel('tiny-promptguard') : directory,
      threads,
    });
    try {
      await classifier.scoreTexts(texts.slice(0, 1));
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        const scores = await classifier.scoreTexts(texts);
        const windows = scores.reduce((sum, score) => sum + score.windows, 0);
        best = Math.min(best, (performance.now() - started) / windows);
      }
      return best;
    } finally {
      await classifier.close();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Runs the measure and prints its table. */
export async function runFirstPlanBench(options: {
  repo: string;
  budget?: number;
  threads: number;
  windowsOnly?: boolean;
}): Promise<void> {
  const { repo, threads } = options;
  const windowsOnly = options.windowsOnly ?? false;
  const budget =
    options.budget ??
    plannerPackBudget({ contextWindow: 327_680, outputReserve: 8_192, promptTokens: 3_000 });
  const task = 'fix the crash when a decorator is applied to a class private method';
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  console.log(
    `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load ${load} (1/5/15 min)`,
  );
  console.log(
    `Repository ${repo}, budget ${budget.toLocaleString('en-US')} tokens (Scout on Together), ${threads} onnxruntime threads\n`,
  );
  await rm(join(repo, '.herd'), { recursive: true, force: true });
  const cold = await packOnce({ root: repo, budget, threads, task, windowsOnly });
  const warm = await packOnce({ root: repo, budget, threads, task, windowsOnly });
  const { stats } = cold;
  console.log(
    `cold: ${(cold.ms / 1000).toFixed(1)} s (${stats.mode}; ${stats.files.included} files scanned, ${stats.files.inDocument} in the document; ${cold.use.texts} texts, ${cold.use.windows} tiny-tokenizer windows, Prompt Guard ${(cold.use.ms / 1000).toFixed(1)} s ${windowsOnly ? 'tokenizing only (--windows-only)' : `with ${cold.modelFile}`})`,
  );
  console.log(
    `warm: ${(warm.ms / 1000).toFixed(2)} s (${warm.use.texts} texts scanned again, Prompt Guard ${(warm.use.ms / 1000).toFixed(2)} s)`,
  );
  const sample = Array.from(
    { length: 16 },
    (_, index) =>
      `const value${index} = compute(${index}); // ${'the parser keeps every token of the source text in a list '.repeat(40)}`,
  );
  const costs = {
    tiny: await perWindowMs('tiny', threads, sample),
    '22M': await perWindowMs('xsmall', threads, sample),
    '86M': await perWindowMs('base', threads, sample),
  };
  const packing = cold.ms - cold.use.ms;
  const fullWindows = cold.use.realWindowTokens / windowTokens;
  const documentShare = stats.tokens.files > 0 ? Math.min(1, stats.tokens.document / stats.tokens.files) : 1;
  console.log(
    `\nPrompt Guard 2's tokenizer would make about ${cold.use.realWindows.toLocaleString('en-US')} windows (${Math.round(fullWindows).toLocaleString('en-US')} full-window equivalents, estimated from o200k counts); packing without the model took ${(packing / 1000).toFixed(1)} s.`,
  );
  console.log(
    '\n| model (tiny: the int8 test model; 22M and 86M: fp32 encoders of their size, random weights) | ms per full window | projected cold | projected cold, document files only | warm |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, ms] of Object.entries(costs)) {
    // The tiny model is projected with its own tokenizer's windows, the others with Prompt Guard 2's (estimated).
    const model = name === 'tiny' ? cold.use.windows * ms : fullWindows * ms;
    console.log(
      `| ${name} | ${ms.toFixed(1)} | ${((packing + model) / 1000).toFixed(0)} s | ${((packing + model * documentShare) / 1000).toFixed(0)} s | ${(warm.ms / 1000).toFixed(1)} s |`,
    );
  }
}
