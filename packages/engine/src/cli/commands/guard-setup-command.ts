import { resolve } from 'node:path';
import { UserError } from '@herd/core';
// Types only: the guard package (onnxruntime) is loaded when the command runs, not at start.
import type { DownloadProgress, InstalledModel, PromptGuardModelName } from '@herd/guard';
import type { Command } from 'commander';
import { exitCodes } from '../report-cli-error.js';

interface SetupCommandOptions {
  from?: string;
  dir?: string;
  fp32?: boolean;
}

/**
 * Registers `herd guard setup [prompt-guard-2-22m|prompt-guard-2-86m] [--from <repo>[@revision]] [--dir DIR]`:
 * downloads a Prompt Guard 2 ONNX export from the Hugging Face Hub (or converts Meta's safetensors locally),
 * self-checks it, and wires it in the per-user cache, where every run finds it with no configuration.
 */
export function registerGuardSetupCommand(guard: Command): void {
  guard
    .command('setup')
    .description(
      'Download Prompt Guard 2 (ONNX) from the Hugging Face Hub, check it, and turn it on for every run (HF_TOKEN, HF_ENDPOINT honoured)',
    )
    .argument(
      '[model]',
      'prompt-guard-2-22m (default: 4x faster on CPU) or prompt-guard-2-86m (multilingual)',
    )
    .option(
      '--from <repository>',
      'a Hugging Face repository, optionally @revision (default: a community ONNX export)',
    )
    .option(
      '--dir <folder>',
      'keep models here instead of the per-user cache (then name it in herd.config.json)',
    )
    .option('--fp32', 'take the fp32 export instead of the int8 one (int8 is faster on CPUs)')
    .action(async (model: string | undefined, options: SetupCommandOptions) => {
      const guardPackage = await import('@herd/guard');
      const parsed = guardPackage.PromptGuardModelNameSchema.safeParse(
        model ?? guardPackage.defaultPromptGuardModel,
      );
      if (!parsed.success) {
        throw new UserError({
          code: 'guard_model_unknown',
          message: `'${model}' is not a model herd guard setup knows; use ${guardPackage.PromptGuardModelNameSchema.options.join(' or ')} (and --from <repository> for another export of it).`,
        });
      }
      const cacheDirectory = options.dir ? resolve(options.dir) : undefined;
      const progress = createProgressLine(process.stderr);
      const installed = await guardPackage
        .installPromptGuard({
          name: parsed.data,
          ...(options.from ? { from: options.from } : {}),
          ...(cacheDirectory ? { cacheDirectory } : {}),
          precision: options.fp32 ? 'fp32' : 'int8',
          onProgress: progress.update,
          log: (line) => {
            progress.clear();
            process.stderr.write(`herd: ${line}\n`);
          },
        })
        .finally(progress.clear);
      const defaultCache = guardPackage.defaultModelCacheDirectory();
      process.stdout.write(
        renderInstalled({
          name: parsed.data,
          installed,
          wiredByDefault: !cacheDirectory || cacheDirectory === defaultCache,
        }),
      );
      process.exitCode = exitCodes.success;
    });
}

function renderInstalled(options: {
  name: PromptGuardModelName;
  installed: InstalledModel;
  wiredByDefault: boolean;
}): string {
  const { installed, wiredByDefault } = options;
  const { manifest } = installed;
  const lines = [
    `Prompt Guard 2 is set up: ${manifest.name} from ${manifest.repository} at ${manifest.revision}`,
    `  ${installed.directory} (${manifest.modelFile}, ${manifest.source === 'hub' ? 'downloaded' : 'converted locally'}, sha256 recorded in herd-model.json)`,
    `  self-check: obvious jailbreaks score ≥ ${manifest.selfCheck.malicious.toFixed(3)}, plain coding requests ≤ ${manifest.selfCheck.benign.toFixed(3)}`,
    wiredByDefault
      ? '  Every run uses it now, with no configuration (`herd config check` shows it); "promptGuard": false in roles.guard turns it off.'
      : `  Herd looks in the per-user cache only; to use this copy, add to herd.config.json: {"roles": {"guard": {"promptGuard": {"modelPath": ${JSON.stringify(installed.directory)}, "modelFile": ${JSON.stringify(manifest.modelFile)}}}}}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** A progress bar on a terminal (one line, redrawn); nothing elsewhere, where the step lines say enough. */
function createProgressLine(stream: NodeJS.WriteStream): { update: DownloadProgress; clear: () => void } {
  let drawn = false;
  let last = '';
  return {
    update: ({ file, received, total }) => {
      if (!stream.isTTY) return;
      const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
      const share = total ? Math.min(1, received / total) : undefined;
      const width = 24;
      const bar =
        share === undefined
          ? ''
          : `[${'#'.repeat(Math.round(share * width)).padEnd(width, '-')}] ${Math.floor(share * 100)}% `;
      const line = `  ${file} ${bar}${megabytes(received)}${total ? `/${megabytes(total)}` : ''} MB`;
      if (line === last) return;
      last = line;
      stream.write(`\r${line}\u001b[K`);
      drawn = true;
    },
    clear: () => {
      if (!drawn) return;
      stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
