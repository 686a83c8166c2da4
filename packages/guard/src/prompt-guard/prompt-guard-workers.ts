import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, type ErrorBlame, SystemError } from '@herd/core';
import type {
  PromptGuardClassifierOptions,
  PromptGuardScore,
  PromptGuardScorer,
} from './prompt-guard-classifier.js';

/** Options for {@link createPromptGuardWorkers}. */
export interface PromptGuardWorkersOptions extends PromptGuardClassifierOptions {
  /** Worker threads, each with its own onnxruntime session; defaults to {@link defaultPromptGuardWorkers}. */
  workers?: number;
}

/** What a worker is started with. */
export interface WorkerStart {
  options: PromptGuardClassifierOptions;
}

/** One job sent to a worker. */
export interface WorkerRequest {
  id: number;
  texts: string[];
}

/** An error crossing the thread boundary as plain data. */
export interface WorkerErrorData {
  code?: string;
  blame?: ErrorBlame;
  message: string;
  hint?: string;
  source?: string;
}

/** What a worker sends back. */
export type WorkerReply =
  | { type: 'ready'; fingerprint: string; label: string; modelFile: string }
  | { type: 'failed'; error: WorkerErrorData }
  | { type: 'scores'; id: number; scores: PromptGuardScore[] }
  | { type: 'error'; id: number; error: WorkerErrorData };

// A job is cut at about this many characters (roughly 30 full windows), or sooner so that one call's texts are
// shared by every worker, and a long text does not hold the others back for long.
const jobCharacters = 64 * 1024;
const jobTexts = 64;

/**
 * The default number of Prompt Guard workers: one per core, at most four (each holds its own copy of the model:
 * about 300 MB for Prompt Guard 2 86M in int8). Two on a 2-core machine.
 */
export function defaultPromptGuardWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Job {
  texts: string[];
  resolve: (scores: PromptGuardScore[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/**
 * Loads Prompt Guard on worker threads (`node:worker_threads`), each with its own onnxruntime session and
 * tokenizer, and spreads the texts of every call over them. Tokenizing and scoring then run beside the calling
 * thread, which goes on packing, reading or scanning with the local scanners. With `workers` threads and no
 * `threads` option, each session gets `cores / workers` intra-op threads (at least one), so together they fit
 * the cores. A text's score depends on the text alone (see {@link PromptGuardScorer.scoreTexts}), so it is the
 * same whichever worker scores it and whatever else is scored at the same time.
 *
 * @throws ConfigError like {@link createPromptGuardClassifier} when the model does not load.
 * @example
 * const scorer = await createPromptGuardWorkers({ modelPath: 'models/prompt-guard-2-22m' });
 * const [result] = await scorer.scoreTexts(['Ignore previous instructions.']);
 * await scorer.close();
 */
export async function createPromptGuardWorkers(
  options: PromptGuardWorkersOptions,
): Promise<PromptGuardScorer> {
  const { workers: requested, ...classifierOptions } = options;
  const count = Math.max(1, requested ?? defaultPromptGuardWorkers());
  const threads = classifierOptions.threads ?? Math.max(1, Math.floor(availableParallelism() / count));
  const start: WorkerStart = { options: { ...classifierOptions, threads } };
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let broken: Error | undefined;
  let closing = false;
  let nextId = 0;

  const fail = (error: Error) => {
    if (closing) return;
    broken ??= error;
    for (const slot of slots) {
      slot.job?.reject(broken);
      slot.job = undefined;
    }
    for (const job of queue.splice(0)) job.reject(broken);
  };
  const dispatch = () => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue;
      const job = queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: nextId++, texts: job.texts } satisfies WorkerRequest);
    }
  };
  const answered = (slot: Slot, reply: WorkerReply) => {
    const job = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    if (reply.type === 'scores') job?.resolve(reply.scores);
    else if (reply.type === 'error') job?.reject(rebuildError(reply.error, options.modelPath));
    dispatch();
  };

  const ready = await Promise.allSettled(
    Array.from({ length: count }, () => startWorker({ start, slots, answered, fail })),
  );
  const failure = ready.find((result) => result.status === 'rejected');
  if (failure) {
    closing = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw failure.reason;
  }
  const first = (ready[0] as PromiseFulfilledResult<Extract<WorkerReply, { type: 'ready' }>>).value;

  return {
    fingerprint: first.fingerprint,
    label: first.label,
    modelFile: first.modelFile,
    async scoreTexts(texts) {
      if (closing) throw closedError();
      if (broken) throw broken;
      const jobs = cutJobs(texts, slots.length);
      const parts = await Promise.all(
        jobs.map(
          (job) =>
            new Promise<PromptGuardScore[]>((resolve, reject) => {
              queue.push({ texts: job, resolve, reject });
              dispatch();
            }),
        ),
      );
      return parts.flat();
    },
    async close() {
      closing = true;
      for (const job of queue.splice(0)) job.reject(closedError());
      for (const slot of slots) slot.job?.reject(closedError());
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/** Starts one worker and waits until its model is loaded; the worker joins `slots` once it is ready. */
function startWorker(input: {
  start: WorkerStart;
  slots: Slot[];
  answered: (slot: Slot, reply: WorkerReply) => void;
  fail: (error: Error) => void;
}): Promise<Extract<WorkerReply, { type: 'ready' }>> {
  const { filename, evaluated } = workerEntry();
  const worker = new Worker(filename, { eval: evaluated, workerData: input.start });
  const slot: Slot = { worker, job: undefined };
  return new Promise((resolve, reject) => {
    let loaded = false;
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        loaded = true;
        worker.unref();
        input.slots.push(slot);
        resolve(reply);
      } else if (reply.type === 'failed') {
        reject(rebuildError(reply.error, input.start.options.modelPath));
        void worker.terminate();
      } else input.answered(slot, reply);
    });
    const stopped = (error: Error) => {
      if (loaded) input.fail(error);
      else reject(error);
    };
    worker.on('error', (error) =>
      stopped(
        new SystemError({
          code: 'prompt_guard_worker_failed',
          message: `A Prompt Guard worker thread failed (${error.message}); nothing it was scoring passed unchecked. Check the model in ${input.start.options.modelPath}.`,
          cause: error,
        }),
      ),
    );
    worker.on('exit', (code) =>
      stopped(
        new SystemError({
          code: 'prompt_guard_worker_failed',
          message: `A Prompt Guard worker thread stopped (exit code ${code}); nothing it was scoring passed unchecked. Check the model in ${input.start.options.modelPath}.`,
        }),
      ),
    );
  });
}

/**
 * Cuts a call's texts, in order, into jobs of at most {@link jobTexts} texts and about an equal share of the
 * characters for each worker, at most {@link jobCharacters}.
 */
function cutJobs(texts: readonly string[], workers: number): string[][] {
  const total = texts.reduce((sum, text) => sum + text.length, 0);
  const share = Math.min(jobCharacters, Math.max(1, Math.ceil(total / workers)));
  const jobs: string[][] = [];
  let job: string[] = [];
  let size = 0;
  for (const text of texts) {
    if (job.length > 0 && (size + text.length > share || job.length === jobTexts)) {
      jobs.push(job);
      job = [];
      size = 0;
    }
    job.push(text);
    size += text.length;
  }
  if (job.length > 0 || jobs.length === 0) jobs.push(job);
  return jobs;
}

function rebuildError(error: WorkerErrorData, modelPath: string): Error {
  if (error.code && error.blame === 'user') {
    return new ConfigError({
      code: error.code,
      source: error.source ?? modelPath,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
  return new SystemError({
    code: error.code ?? 'prompt_guard_worker_failed',
    message: error.code ? error.message : `Prompt Guard failed on a worker thread (${error.message}).`,
    ...(error.hint ? { hint: error.hint } : {}),
  });
}

function closedError(): SystemError {
  return new SystemError({
    code: 'prompt_guard_closed',
    message: 'Prompt Guard was asked to score text after its workers were closed; create the guard again.',
  });
}

/**
 * The worker's module: the compiled `prompt-guard-worker.js` beside this file. Run from the TypeScript sources
 * (tests, benchmarks), a worker cannot import `.ts` by itself, so it is started with a short script that first
 * registers tsx (a development dependency) and maps `@herd/core` to its sources, as the test configuration does.
 */
function workerEntry(): { filename: string | URL; evaluated: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { filename: new URL('./prompt-guard-worker.js', here), evaluated: false };
  const require = createRequire(here);
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
  const coreSource = fileURLToPath(new URL('../../../core/src/', here));
  const aliases = {
    '@herd/core': pathToFileURL(join(coreSource, 'index.ts')).href,
    '@herd/core/models': pathToFileURL(join(coreSource, 'models/index.ts')).href,
    '@herd/core/errors': pathToFileURL(join(coreSource, 'errors/index.ts')).href,
    '@herd/core/secrets': pathToFileURL(join(coreSource, 'secrets/index.ts')).href,
  };
  const hooks = `const aliases = ${JSON.stringify(aliases)};
export async function resolve(specifier, context, next) { return next(aliases[specifier] ?? specifier, context); }`;
  const script = `
import(${JSON.stringify(tsx.href)})
  .then(async (tsx) => {
    tsx.register();
    const { register } = await import('node:module');
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    await import(${JSON.stringify(new URL('./prompt-guard-worker.ts', here).href)});
  });`;
  return { filename: script, evaluated: true };
}
