import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

/** The Prompt Guard 2 models `herd guard setup` knows by name. */
export const PromptGuardModelNameSchema = z.enum(['prompt-guard-2-22m', 'prompt-guard-2-86m']);
/** A Prompt Guard 2 model name. */
export type PromptGuardModelName = z.infer<typeof PromptGuardModelNameSchema>;

/** One file of an installed model, as downloaded and verified. */
export const InstalledFileSchema = z.object({
  /** Path inside the model directory. */
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** SHA-256 of the bytes on disk, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** `herd-model.json`: what a model directory holds, where it came from, and the self-check it passed. */
export const ModelManifestSchema = z.object({
  /** Always 1 for this shape. */
  manifestVersion: z.literal(1),
  name: z.string().min(1),
  /** The Hugging Face repository it came from, e.g. `gravitee-io/Llama-Prompt-Guard-2-22M-onnx`. */
  repository: z.string().min(1),
  /** The commit the files were downloaded at (pinned, never a branch name). */
  revision: z.string().min(1),
  /** `hub` when the ONNX export was downloaded, `converted` when it was exported locally from safetensors. */
  source: z.enum(['hub', 'converted']),
  /** The ONNX file to load. */
  modelFile: z.string().min(1),
  files: z.array(InstalledFileSchema),
  /** Scores of the canonical strings when it was installed. */
  selfCheck: z.object({ benign: z.number(), malicious: z.number() }),
  installedAt: z.iso.datetime(),
});
/** `herd-model.json`. */
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** `prompt-guard.json` at the cache root: the model Herd uses when `roles.guard.promptGuard` is not written. */
export const WiredModelSchema = z.object({
  name: z.string().min(1),
  revision: z.string().min(1),
  /** Absolute path of the model directory. */
  directory: z.string().refine(isAbsolute, 'an absolute path'),
});
/** `prompt-guard.json`. */
export type WiredModel = z.infer<typeof WiredModelSchema>;

/** The manifest's file name inside a model directory. */
export const manifestFileName = 'herd-model.json';
/** The file naming the wired Prompt Guard model, at the cache root. */
export const wiredModelFileName = 'prompt-guard.json';

/**
 * The per-user model cache: `$XDG_CACHE_HOME/herd/models`, else `~/.cache/herd/models`. `undefined` when the
 * environment names neither (no home directory): then nothing is found and `--dir` is needed to install.
 */
export function defaultModelCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'herd', 'models');
  if (env.HOME && isAbsolute(env.HOME)) return join(env.HOME, '.cache', 'herd', 'models');
  return undefined;
}

/** Where a model of a revision lives inside a cache directory. */
export function modelDirectory(options: { cacheDirectory: string; name: string; revision: string }): string {
  return join(options.cacheDirectory, options.name, options.revision);
}

/** An installed, wired model as found in the cache. */
export interface InstalledPromptGuard {
  /** The model directory. */
  directory: string;
  /** Its manifest. */
  manifest: ModelManifest;
}

/** What {@link findInstalledPromptGuard} found. */
export type FindInstalledResult = { found: InstalledPromptGuard } | { missing: string } | { broken: string };

/**
 * Finds the Prompt Guard model `herd guard setup` wired in a cache directory: `prompt-guard.json` names it, and
 * its directory must hold a valid `herd-model.json` and every file listed there. `missing` when setup never ran;
 * `broken` (with what is wrong) when the pointer or the directory is damaged.
 */
export function findInstalledPromptGuard(cacheDirectory: string | undefined): FindInstalledResult {
  if (!cacheDirectory)
    return { missing: 'no per-user cache directory (neither XDG_CACHE_HOME nor HOME is set)' };
  const pointer = join(cacheDirectory, wiredModelFileName);
  if (!existsSync(pointer)) return { missing: `no model set up in ${cacheDirectory}` };
  const wired = WiredModelSchema.safeParse(readJson(pointer));
  if (!wired.success) return { broken: `${pointer} is not a model pointer Herd wrote` };
  const directory = wired.data.directory;
  const manifestPath = join(directory, manifestFileName);
  if (!existsSync(manifestPath))
    return { broken: `${directory} (named by ${pointer}) has no ${manifestFileName}` };
  const manifest = ModelManifestSchema.safeParse(readJson(manifestPath));
  if (!manifest.success) return { broken: `${manifestPath} is not a manifest Herd wrote` };
  const absent = manifest.data.files.find((file) => !existsSync(join(directory, file.path)));
  if (absent) return { broken: `${join(directory, absent.path)} is missing` };
  return { found: { directory, manifest: manifest.data } };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
