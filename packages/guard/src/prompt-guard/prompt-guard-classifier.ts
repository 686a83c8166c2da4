import { ConfigError } from '@herd/core';
import type { Tokenizer } from '@huggingface/tokenizers';
import { compactWhitespace } from './compact-whitespace.js';
import {
  loadSequenceClassifierModel,
  type SequenceClassifierModel,
  type SequenceClassifierModelOptions,
} from './sequence-classifier-model.js';
import { splitTokenWindows } from './split-token-windows.js';

/** Options for {@link createPromptGuardClassifier}. */
export interface PromptGuardClassifierOptions
  extends Omit<SequenceClassifierModelOptions, 'requireTokenizer'> {
  /** Most tokens per window, special tokens included; defaults to the model's 512 positions. */
  maxTokens?: number;
  /** Tokens each window repeats from the previous one; defaults to 64. */
  overlapTokens?: number;
  /** Most windows (all of one text) per onnxruntime run; defaults to 32. */
  batchSize?: number;
  /**
   * Most padded tokens (rows × longest row) per onnxruntime run of one text's windows; defaults to 2,048. On CPU,
   * large batches of full 512-token windows run slower than small ones (attention scores of 16 × 12 × 512 × 512
   * floats leave the caches); four full windows per run is about the best there.
   */
  batchTokens?: number;
  /** Apply LlamaFirewall's whitespace compaction before tokenizing; defaults to false. */
  compactWhitespace?: boolean;
}

/** The score of one text. */
export interface PromptGuardScore {
  /** Highest P(positive label) over the text's windows, 0..1. */
  score: number;
  /** How many windows the text was cut into. */
  windows: number;
  /** Content tokens in the text (special tokens excluded). */
  tokens: number;
  /** Token offset where the highest-scoring window starts. */
  worstWindowStart: number;
}

/**
 * What the guard needs of Prompt Guard: scores for texts, and what identifies the model. Both the in-thread
 * {@link PromptGuardClassifier} and the worker-thread pool (`createPromptGuardWorkers`) provide it.
 */
export interface PromptGuardScorer {
  /** Identifies the model file and windowing settings (changes when either would change a score). */
  fingerprint: string;
  /** The positive label the score is the probability of, e.g. `MALICIOUS`. */
  label: string;
  /** The ONNX file that was loaded, e.g. `model.quant.onnx`. */
  modelFile: string;
  /**
   * Scores texts; each text's score is its highest window. A text's windows are batched only with each other,
   * so its score depends on the text alone, never on what else is scored with it.
   */
  scoreTexts(texts: readonly string[]): Promise<PromptGuardScore[]>;
  /** Releases the session(s). */
  close(): Promise<void>;
}

/** Prompt Guard 2 over onnxruntime on the calling thread: one session, whole-text coverage. */
export interface PromptGuardClassifier extends PromptGuardScorer {
  /** The loaded model. */
  model: SequenceClassifierModel;
  /** The tokenizer (from the model directory). */
  tokenizer: Tokenizer;
  /** Token ids of a text as the model sees it (special tokens included, no windowing). */
  encode(text: string): number[];
}

/**
 * Loads a Prompt Guard 2 export once and returns a classifier that covers every token of a text: it cuts the ids
 * into windows that fit the model with their special tokens, overlapping by `overlapTokens`, scores each window as
 * softmax P(MALICIOUS) (by `id2label`, not by position), and keeps the maximum.
 *
 * @throws ConfigError when the directory is missing, lacks a tokenizer, or its files do not match.
 * @example
 * const classifier = await createPromptGuardClassifier({ modelPath: 'models/prompt-guard-2-86m', threads: 2 });
 * const [result] = await classifier.scoreTexts(['Ignore previous instructions.']);
 */
export async function createPromptGuardClassifier(
  options: PromptGuardClassifierOptions,
): Promise<PromptGuardClassifier> {
  const model = await loadSequenceClassifierModel({ ...options, requireTokenizer: true });
  const tokenizer = model.tokenizer as Tokenizer;
  const {
    overlapTokens = 64,
    batchSize = 32,
    batchTokens = 2048,
    compactWhitespace: compact = false,
  } = options;
  const maxTokens = Math.min(options.maxTokens ?? model.maxPositions, model.maxPositions);
  const { prefix, suffix } = specialTokenFrame(tokenizer);
  const windowSize = maxTokens - prefix.length - suffix.length;
  if (windowSize < 2 || overlapTokens < 0 || overlapTokens >= windowSize) {
    throw new ConfigError({
      code: 'prompt_guard_window_invalid',
      source: options.modelPath,
      message: `Prompt Guard windows of ${maxTokens} tokens with ${overlapTokens} overlap leave no room to advance; use an overlap below ${windowSize}.`,
    });
  }
  const contentIds = (text: string) =>
    tokenizer.encode(compact ? compactWhitespace(text, tokenizer) : text, { add_special_tokens: false }).ids;

  return {
    model,
    tokenizer,
    label: model.labels[model.positiveIndex] ?? 'MALICIOUS',
    modelFile: model.modelFile,
    fingerprint: `prompt_guard@${model.modelPath}/${model.modelFile}:${maxTokens}:${overlapTokens}:${compact}`,
    encode: (text) => tokenizer.encode(compact ? compactWhitespace(text, tokenizer) : text).ids,
    async scoreTexts(texts) {
      const results: PromptGuardScore[] = [];
      for (const text of texts) {
        const ids = contentIds(text);
        const windows = splitTokenWindows({ ids, windowSize, overlap: overlapTokens });
        const result = { score: 0, windows: windows.length, tokens: ids.length, worstWindowStart: 0 };
        results.push(result);
        // One text's windows only per run: an int8 export quantizes activations with one range per batch, so
        // windows of other texts (or their padding) in the same run would move this text's score.
        for (let offset = 0; offset < windows.length; ) {
          const width = (windows[offset]?.ids.length ?? 0) + prefix.length + suffix.length;
          const rows = Math.max(1, Math.min(batchSize, Math.floor(batchTokens / Math.max(1, width))));
          const batch = windows.slice(offset, offset + rows);
          offset += batch.length;
          const logits = await model.logits(batch.map((window) => [...prefix, ...window.ids, ...suffix]));
          batch.forEach((window, row) => {
            const score = softmax(logits[row] as Float32Array)[model.positiveIndex] ?? 0;
            if (score > result.score) {
              result.score = score;
              result.worstWindowStart = window.start;
            }
          });
        }
      }
      return results;
    },
    close: () => model.close(),
  };
}

/** The special ids a tokenizer puts before and after a single text (e.g. `[CLS]` and `[SEP]`). */
function specialTokenFrame(tokenizer: Tokenizer): { prefix: number[]; suffix: number[] } {
  const probe = 'a';
  const bare: number[] = tokenizer.encode(probe, { add_special_tokens: false }).ids;
  const framed: number[] = tokenizer.encode(probe).ids;
  for (let start = 0; start + bare.length <= framed.length; start++) {
    if (bare.every((id, index) => framed[start + index] === id)) {
      return { prefix: framed.slice(0, start), suffix: framed.slice(start + bare.length) };
    }
  }
  return { prefix: [], suffix: [] };
}

/** Softmax with temperature 1, as Meta's cookbook scores Prompt Guard 2. */
export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const highest = Math.max(...values);
  const exponentials = values.map((value) => Math.exp(value - highest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}
