import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '@herd/core';
import { type ConversionTool, convertToOnnx } from './convert-to-onnx.js';
import { type DownloadProgress, downloadHubFile } from './download-hub-file.js';
import { fetchHubRevision, type HubFile, type HubRevision, hubConnectionFromEnv } from './hub-client.js';
import {
  defaultModelCacheDirectory,
  type ModelManifest,
  ModelManifestSchema,
  manifestFileName,
  modelDirectory,
  type PromptGuardModelName,
  type WiredModel,
  wiredModelFileName,
} from './model-cache.js';
import { promptGuardSources } from './prompt-guard-sources.js';
import { selfCheckPromptGuard } from './self-check-prompt-guard.js';

/** Options for {@link installPromptGuard}. */
export interface InstallPromptGuardOptions {
  /** Which model. */
  name: PromptGuardModelName;
  /** `owner/repository` or `owner/repository@revision`; default the model's ONNX export at `main`. */
  from?: string;
  /** Where models are kept; default the per-user cache, where Herd looks without configuration. */
  cacheDirectory?: string;
  /** `int8` (default: the quantized export when the repository has one, the fastest on CPUs) or `fp32`. */
  precision?: 'int8' | 'fp32';
  /** Environment: HF_TOKEN, HF_ENDPOINT, the cache location, the conversion tools' PATH. */
  env?: NodeJS.ProcessEnv;
  /** Bytes received, file by file. */
  onProgress?: DownloadProgress;
  /** One line per step, for a person. */
  log?: (line: string) => void;
  /**
   * The folder a model may have written (the repository Herd works on): conversion tools found on `PATH` inside
   * it are never run. Default: the folder Herd runs in.
   */
  workspace?: string;
  /** The conversion tool for safetensors-only repositories; default the one found on PATH. */
  conversionTool?: ConversionTool;
}

/** A model installed and wired. */
export interface InstalledModel {
  /** Its directory: `<cache>/<name>/<commit>`. */
  directory: string;
  manifest: ModelManifest;
  /** The file that wires it (`prompt-guard.json` in the cache directory). */
  pointer: string;
}

const int8Files = ['model.quant.onnx', 'model_quantized.onnx', 'model_int8.onnx'];
const fp32Files = ['model.onnx'];
const requiredCompanions = ['config.json', 'tokenizer.json'];
const optionalCompanions = ['tokenizer_config.json', 'special_tokens_map.json'];

/**
 * Obtains a Prompt Guard 2 ONNX export and wires it: resolves the revision to a commit, downloads the model and its
 * tokenizer and config (resumable, hash-checked), or exports ONNX locally when the repository ships safetensors
 * only; then self-checks it and only then moves it into `<cache>/<name>/<commit>` and points
 * `<cache>/prompt-guard.json` at it. Everything happens in a staging folder first: a failure leaves the cache as it
 * was (a broken download keeps its bytes there to resume from).
 *
 * @throws UserError for a bad `--from`, a gated repository without access, a repository without a model;
 *   SystemError for network failures, hash mismatches and a failed self-check.
 */
export async function installPromptGuard(options: InstallPromptGuardOptions): Promise<InstalledModel> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const cacheDirectory = options.cacheDirectory ?? defaultModelCacheDirectory(env);
  if (!cacheDirectory) {
    throw new UserError({
      code: 'model_cache_unknown',
      message: 'Neither XDG_CACHE_HOME nor HOME is set, so there is no per-user cache; pass --dir <folder>.',
    });
  }
  const { repository, revision } = parseSource(
    options.from ?? promptGuardSources[options.name].onnxRepository,
  );
  const precision = options.precision ?? 'int8';
  const installed = (commit: string, modelFile?: string) =>
    rewireInstalled({
      cacheDirectory,
      name: options.name,
      repository,
      commit,
      accepts: (file) =>
        modelFile ? file === modelFile : int8Files.includes(file) === (precision === 'int8'),
    });
  // A commit named with --from that is already installed (a CI cache) needs no network at all.
  const early = /^[0-9a-f]{40}$/.test(revision) ? await installed(revision) : undefined;
  if (early) {
    log(`Already set up at commit ${revision}`);
    return early;
  }
  const hub = hubConnectionFromEnv(env);
  log(`Resolving ${repository}@${revision} on ${hub.endpoint}`);
  const pinned = await fetchHubRevision({ hub, repository, revision });
  log(`Pinned to commit ${pinned.commit}`);
  const listed = chooseOnnxFile(pinned, precision);
  // What this revision would give: the ONNX file of the precision asked for, else the other one.
  const present = await installed(pinned.commit, listed ? basename(listed.path) : undefined);
  if (present) {
    log(`Already set up at commit ${pinned.commit}`);
    return present;
  }
  const staging = join(cacheDirectory, '.staging', `${options.name}@${pinned.commit}`);
  await mkdir(staging, { recursive: true });
  const onnx = listed;
  let source: ModelManifest['source'];
  let modelFile: string;
  if (onnx) {
    source = 'hub';
    modelFile = basename(onnx.path);
    await downloadAll({
      hub,
      pinned,
      staging,
      files: companionsOf(pinned, onnx),
      log,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } else if (pinned.files.some((file) => /\.(safetensors|bin)$/.test(file.path))) {
    source = 'converted';
    log(`${repository} has no ONNX export; converting its safetensors locally`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    ({ modelFile } = await convertToOnnx({
      repository,
      commit: pinned.commit,
      outputDirectory: staging,
      env,
      ...(options.conversionTool ? { tool: options.conversionTool } : {}),
      ...(options.workspace ? { workspace: options.workspace } : {}),
      onCommand: (command) => log(`Running ${command}`),
    }));
  } else {
    await rm(staging, { recursive: true, force: true });
    throw new UserError({
      code: 'hub_no_model',
      message: `${repository} at ${pinned.commit.slice(0, 12)} has neither an ONNX export nor safetensors; name a Prompt Guard 2 repository with --from.`,
    });
  }
  log(`Self-checking ${modelFile}`);
  let selfCheck: ModelManifest['selfCheck'];
  try {
    selfCheck = await selfCheckPromptGuard({ directory: staging, modelFile });
  } catch (error) {
    // The files are what the Hub lists, so downloading them again would not help: nothing is kept.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  log(
    `Self-check passed: jailbreaks ≥ ${selfCheck.malicious.toFixed(3)}, plain requests ≤ ${selfCheck.benign.toFixed(3)}`,
  );
  const manifest: ModelManifest = {
    manifestVersion: 1,
    name: options.name,
    repository,
    revision: pinned.commit,
    source,
    modelFile,
    files: filesOf(staging),
    selfCheck,
    installedAt: new Date().toISOString(),
  };
  await writeFile(join(staging, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
  const directory = modelDirectory({ cacheDirectory, name: options.name, revision: pinned.commit });
  await moveIntoPlace(staging, directory);
  const pointer = await wire({ cacheDirectory, name: options.name, revision: pinned.commit, directory });
  return { directory, manifest, pointer };
}

/** Points `prompt-guard.json` at a model directory; returns the pointer's path. */
async function wire(wired: WiredModel & { cacheDirectory: string }): Promise<string> {
  const { cacheDirectory, ...content } = wired;
  const pointer = join(cacheDirectory, wiredModelFileName);
  await writeAtomically(pointer, `${JSON.stringify(content, null, 2)}\n`);
  return pointer;
}

/**
 * Wires a model already installed at this commit from this repository, with the ONNX file wanted and every file of
 * its manifest present at its recorded size; `undefined` when there is none (it is then downloaded).
 */
async function rewireInstalled(input: {
  cacheDirectory: string;
  name: PromptGuardModelName;
  repository: string;
  commit: string;
  /** Whether the installed ONNX file is the one wanted. */
  accepts: (modelFile: string) => boolean;
}): Promise<InstalledModel | undefined> {
  const { cacheDirectory, name, commit } = input;
  const directory = modelDirectory({ cacheDirectory, name, revision: commit });
  const manifestPath = join(directory, manifestFileName);
  if (!existsSync(manifestPath)) return undefined;
  const parsed = ModelManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!parsed.success) return undefined;
  const manifest = parsed.data;
  const complete = manifest.files.every((file) => {
    const path = join(directory, file.path);
    return existsSync(path) && statSync(path).size === file.size;
  });
  if (manifest.repository !== input.repository || !input.accepts(manifest.modelFile) || !complete)
    return undefined;
  const pointer = await wire({ cacheDirectory, name, revision: commit, directory });
  return { directory, manifest, pointer };
}

/**
 * Splits `owner/repository[@revision]`.
 *
 * @throws UserError `model_source_invalid`.
 */
export function parseSource(from: string): { repository: string; revision: string } {
  const match = /^([\w.-]+\/[\w.-]+)(?:@([\w./-]+))?$/.exec(from.trim());
  if (!match || match[1]?.includes('..')) {
    throw new UserError({
      code: 'model_source_invalid',
      message: `--from '${from}' is not a Hugging Face repository; write owner/name or owner/name@revision (a branch, tag or commit).`,
    });
  }
  return { repository: match[1] as string, revision: match[2] ?? 'main' };
}

function chooseOnnxFile(pinned: HubRevision, precision: 'int8' | 'fp32'): HubFile | undefined {
  const byName = (names: readonly string[]) =>
    names
      .flatMap((name) => [name, `onnx/${name}`])
      .map((name) => pinned.files.find((file) => file.path === name))
      .find((file) => file !== undefined);
  return precision === 'int8'
    ? (byName(int8Files) ?? byName(fp32Files))
    : (byName(fp32Files) ?? byName(int8Files));
}

/** The ONNX file plus its config and tokenizer files: beside it, or at the repository's root. */
function companionsOf(pinned: HubRevision, onnx: HubFile): HubFile[] {
  const folder = dirname(onnx.path) === '.' ? '' : `${dirname(onnx.path)}/`;
  const find = (name: string) =>
    pinned.files.find((file) => file.path === `${folder}${name}`) ??
    pinned.files.find((file) => file.path === name);
  const missing = requiredCompanions.filter((name) => !find(name));
  if (missing.length > 0) {
    throw new UserError({
      code: 'hub_model_incomplete',
      message: `${pinned.repository} has ${onnx.path} but no ${missing.join(' or ')}; name a complete export with --from.`,
    });
  }
  return [onnx, ...[...requiredCompanions, ...optionalCompanions].flatMap((name) => find(name) ?? [])];
}

async function downloadAll(input: {
  hub: ReturnType<typeof hubConnectionFromEnv>;
  pinned: HubRevision;
  staging: string;
  files: HubFile[];
  onProgress?: DownloadProgress;
  log: (line: string) => void;
}): Promise<void> {
  const { hub, pinned, staging, files } = input;
  for (const file of files) {
    const destination = join(staging, basename(file.path));
    if (existsSync(destination)) continue;
    input.log(
      `Downloading ${file.path}${file.size !== undefined ? ` (${(file.size / 1e6).toFixed(1)} MB)` : ''}`,
    );
    await downloadHubFile({
      hub,
      repository: pinned.repository,
      commit: pinned.commit,
      file,
      destination,
      partialPath: `${destination}.part`,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
  }
}

function filesOf(directory: string): ModelManifest['files'] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.part') && entry.name !== manifestFileName)
    .map((entry) => {
      const path = join(directory, entry.name);
      return {
        path: entry.name,
        size: statSync(path).size,
        sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      };
    })
    .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}

/** Renames the staging folder to its final place; an existing copy of the same revision is replaced whole. */
async function moveIntoPlace(staging: string, directory: string): Promise<void> {
  await mkdir(dirname(directory), { recursive: true });
  const aside = `${directory}.replaced-${randomUUID().slice(0, 8)}`;
  const replacing = existsSync(directory);
  if (replacing) await rename(directory, aside);
  try {
    await rename(staging, directory);
  } catch (error) {
    if (replacing) await rename(aside, directory);
    throw error;
  }
  if (replacing) await rm(aside, { recursive: true, force: true });
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
