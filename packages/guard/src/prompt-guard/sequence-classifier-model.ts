import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@herd/core';
import { Tokenizer } from '@huggingface/tokenizers';
import type * as Ort from 'onnxruntime-node';
import { z } from 'zod';

/** Options for {@link loadSequenceClassifierModel}. */
export interface SequenceClassifierModelOptions {
  /** Directory holding the ONNX export, `config.json` and (usually) `tokenizer.json`. */
  modelPath: string;
  /**
   * ONNX file inside the directory; defaults to the int8 export when there is one (`model.quant.onnx`, then
   * `model_quantized.onnx`, then `model_int8.onnx`: several times faster on a CPU, which is where onnxruntime-node
   * runs here), else `model.onnx`.
   */
  modelFile?: string;
  /** onnxruntime intra-op threads; defaults to onnxruntime's choice (the number of cores). */
  threads?: number;
  /** The label whose probability is the score; defaults to `MALICIOUS`. */
  positiveLabel?: string;
  /** Fail when `tokenizer.json` is absent; defaults to true. Exports without a tokenizer can still score ids. */
  requireTokenizer?: boolean;
}

/** A loaded Hugging Face sequence-classifier export: one onnxruntime session, its labels and tokenizer. */
export interface SequenceClassifierModel {
  /** The directory it was loaded from. */
  modelPath: string;
  /** The ONNX file that was loaded. */
  modelFile: string;
  /** Input names read from the session (`input_ids`, `attention_mask`, maybe `token_type_ids`). */
  inputNames: readonly string[];
  /** Labels by index, from `config.json` `id2label`. */
  labels: readonly string[];
  /** Index of the positive label (the score is its softmax probability). */
  positiveIndex: number;
  /** Id used to pad shorter rows of a batch. */
  padTokenId: number;
  /** Largest sequence the model takes, special tokens included. */
  maxPositions: number;
  /** The tokenizer, when the directory ships `tokenizer.json`. */
  tokenizer: Tokenizer | undefined;
  /** Runs one batch of id rows (padded here) and returns each row's logits. Runs are serialized. */
  logits(rows: readonly (readonly number[])[]): Promise<Float32Array[]>;
  /** Releases the session. */
  close(): Promise<void>;
}

const ClassifierConfigSchema = z
  .object({
    id2label: z.record(z.string(), z.string()),
    pad_token_id: z.number().int().nullish(),
    max_position_embeddings: z.number().int().positive().optional(),
    vocab_size: z.number().int().positive().optional(),
  })
  .loose();

const defaultModelFiles = ['model.quant.onnx', 'model_quantized.onnx', 'model_int8.onnx', 'model.onnx'];

/**
 * Loads a sequence-classifier export once: reads `config.json` for `id2label`, opens one onnxruntime session,
 * reads its input names, and loads `tokenizer.json` with `@huggingface/tokenizers`.
 *
 * @throws ConfigError `prompt_guard_model_missing` when the directory or a required file is absent, and
 *   `prompt_guard_model_mismatch` when the files do not belong together (labels, outputs, vocabulary).
 */
export async function loadSequenceClassifierModel(
  options: SequenceClassifierModelOptions,
): Promise<SequenceClassifierModel> {
  const { modelPath, threads, positiveLabel = 'MALICIOUS', requireTokenizer = true } = options;
  const missing = (message: string) =>
    new ConfigError({
      code: 'prompt_guard_model_missing',
      source: modelPath,
      message,
      hint: 'Point roles.guard.promptGuard.modelPath at a Prompt Guard 2 ONNX export (model.onnx, tokenizer.json, config.json).',
    });
  const mismatch = (message: string) =>
    new ConfigError({ code: 'prompt_guard_model_mismatch', source: modelPath, message });
  if (!existsSync(modelPath))
    throw missing(
      `Prompt Guard model directory '${modelPath}' does not exist; download an ONNX export there or fix the path.`,
    );
  const modelFile = options.modelFile ?? defaultModelFiles.find((file) => existsSync(join(modelPath, file)));
  if (!modelFile || !existsSync(join(modelPath, modelFile))) {
    throw missing(
      `No ONNX file '${options.modelFile ?? defaultModelFiles.join("' or '")}' in '${modelPath}'; add the export or set modelFile.`,
    );
  }
  const configPath = join(modelPath, 'config.json');
  if (!existsSync(configPath))
    throw missing(
      `No config.json in '${modelPath}'; copy it from the model's export so the labels are known.`,
    );
  const tokenizer = await loadTokenizer(modelPath, requireTokenizer, missing);
  const config = ClassifierConfigSchema.safeParse(JSON.parse(await readFile(configPath, 'utf8')));
  if (!config.success)
    throw mismatch(
      `config.json in '${modelPath}' has no id2label map; use the config.json of a sequence-classification export.`,
    );
  const labels = labelsByIndex(config.data.id2label);
  const positiveIndex = labels.findIndex((label) => label.toUpperCase() === positiveLabel.toUpperCase());
  if (positiveIndex < 0) {
    throw mismatch(
      `config.json in '${modelPath}' has labels ${labels.join(', ')} but no '${positiveLabel}'; use a Prompt Guard 2 export or set the positive label.`,
    );
  }
  if (tokenizer && config.data.vocab_size !== undefined) {
    const tokenizerSize = tokenizer.get_vocab(true).size;
    if (tokenizerSize > config.data.vocab_size) {
      throw mismatch(
        `tokenizer.json in '${modelPath}' has ${tokenizerSize} tokens but config.json says the model has ${config.data.vocab_size}; use the tokenizer exported with this model.`,
      );
    }
  }
  // Loaded here, not with this module: onnxruntime's native library costs every process that imports the guard
  // (each `herd` command does) tens of milliseconds, and only a process that scores with a local model needs it.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(join(modelPath, modelFile), {
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    graphOptimizationLevel: 'all',
  }).catch((cause: unknown) => {
    throw mismatch(
      `onnxruntime cannot load '${join(modelPath, modelFile)}' (${cause instanceof Error ? cause.message : String(cause)}); re-export the model.`,
    );
  });
  if (!session.inputNames.includes('input_ids') || !session.outputNames.includes('logits')) {
    throw mismatch(
      `'${modelFile}' takes ${session.inputNames.join(', ')} and returns ${session.outputNames.join(', ')}, not input_ids → logits; use a sequence-classification export.`,
    );
  }
  const logitsMetadata = session.outputMetadata.find((entry) => entry.name === 'logits');
  const logitsWidth = logitsMetadata?.isTensor ? logitsMetadata.shape[1] : undefined;
  if (typeof logitsWidth === 'number' && logitsWidth !== labels.length) {
    throw mismatch(
      `'${modelFile}' returns ${logitsWidth} logits but config.json lists ${labels.length} labels; use the config.json exported with this model.`,
    );
  }
  const padTokenId = config.data.pad_token_id ?? 0;
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (rows: readonly (readonly number[])[]): Promise<Float32Array[]> => {
    const width = Math.max(1, ...rows.map((row) => row.length));
    const ids = new BigInt64Array(rows.length * width).fill(BigInt(padTokenId));
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((row, rowIndex) => {
      row.forEach((id, column) => {
        ids[rowIndex * width + column] = BigInt(id);
        mask[rowIndex * width + column] = 1n;
      });
    });
    const shape = [rows.length, width];
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of session.inputNames) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, shape);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, shape);
      else if (name === 'token_type_ids')
        feeds[name] = new ort.Tensor('int64', new BigInt64Array(ids.length), shape);
      else
        throw mismatch(
          `'${modelFile}' has an unexpected input '${name}'; Herd feeds input_ids, attention_mask and token_type_ids only.`,
        );
    }
    const output = (await session.run(feeds)).logits;
    if (!output) throw mismatch(`'${modelFile}' returned no logits.`);
    const data = output.data as Float32Array;
    const width2 = data.length / rows.length;
    return rows.map((_, rowIndex) => data.slice(rowIndex * width2, (rowIndex + 1) * width2));
  };
  return {
    modelPath,
    modelFile,
    inputNames: session.inputNames,
    labels,
    positiveIndex,
    padTokenId,
    maxPositions: config.data.max_position_embeddings ?? 512,
    tokenizer,
    logits(rows) {
      const result = queue.then(() => run(rows));
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => session.release(),
  };
}

function labelsByIndex(id2label: Record<string, string>): string[] {
  const labels: string[] = [];
  for (const [index, label] of Object.entries(id2label)) labels[Number(index)] = label;
  return Array.from(labels, (label) => label ?? '');
}

async function loadTokenizer(
  modelPath: string,
  required: boolean,
  missing: (message: string) => ConfigError,
): Promise<Tokenizer | undefined> {
  const tokenizerPath = join(modelPath, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) {
    if (!required) return undefined;
    throw missing(`No tokenizer.json in '${modelPath}'; copy the tokenizer.json exported with the model.`);
  }
  const configPath = join(modelPath, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(configPath) ? JSON.parse(await readFile(configPath, 'utf8')) : {};
  return new Tokenizer(JSON.parse(await readFile(tokenizerPath, 'utf8')), tokenizerConfig);
}
