import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findHostProgram, HostProgramUnavailableError, SystemError, UserError } from '@herd/core';
import { execa } from 'execa';

/** A way to run `optimum-cli` found on this machine. */
export interface ConversionTool {
  /** How it is run, for messages: `uvx`, `pipx` or `optimum-cli`. */
  name: 'uvx' | 'uv' | 'pipx' | 'optimum-cli';
  /** The program and the arguments that come before optimum-cli's own. */
  command: [string, ...string[]];
}

// Optimum with onnxruntime: the export and the quantizer, in an environment of their own.
const optimumPackage = 'optimum[onnxruntime]';

/**
 * Finds a way to run `optimum-cli` in an isolated environment, in order: `uvx` (or `uv tool run`) and `pipx run`,
 * which fetch Optimum into a throwaway environment, then an `optimum-cli` already on `PATH`. `undefined` when none
 * is there. Like every program Herd runs on the host, each is looked for only outside `workspace` (default: the
 * folder Herd runs in) and never on a relative `PATH` entry: a model could have put a program of that name in the
 * repository's `node_modules/.bin`, which `pnpm herd` puts first on `PATH`.
 */
export async function findConversionTool(
  env: NodeJS.ProcessEnv = process.env,
  options: { workspace?: string } = {},
): Promise<ConversionTool | undefined> {
  const workspace = options.workspace ?? process.cwd();
  const onPath = async (program: string): Promise<string | undefined> => {
    try {
      return (await findHostProgram(program, { workspace, searchPath: env.PATH ?? '' })).executable;
    } catch (error) {
      if (error instanceof HostProgramUnavailableError) return undefined;
      throw error;
    }
  };
  const uvx = await onPath('uvx');
  if (uvx) return { name: 'uvx', command: [uvx, '--from', optimumPackage, 'optimum-cli'] };
  const uv = await onPath('uv');
  if (uv) return { name: 'uv', command: [uv, 'tool', 'run', '--from', optimumPackage, 'optimum-cli'] };
  const pipx = await onPath('pipx');
  if (pipx) return { name: 'pipx', command: [pipx, 'run', '--spec', optimumPackage, 'optimum-cli'] };
  const optimum = await onPath('optimum-cli');
  if (optimum) return { name: 'optimum-cli', command: [optimum] };
  return undefined;
}

/** Options for {@link convertToOnnx}. */
export interface ConvertToOnnxOptions {
  /** The repository holding safetensors, e.g. `meta-llama/Llama-Prompt-Guard-2-22M`. */
  repository: string;
  /** The pinned commit to export. */
  commit: string;
  /** An empty directory the export is written into. */
  outputDirectory: string;
  /** Environment of the tool (HF_TOKEN and HF_ENDPOINT reach optimum through it). */
  env: NodeJS.ProcessEnv;
  /** The folder a model may have written: no conversion tool is run from inside it. Default: the current folder. */
  workspace?: string;
  /** The tool to run; default {@link findConversionTool}. */
  tool?: ConversionTool;
  /** Told each command before it runs. */
  onCommand?: (command: string) => void;
}

/**
 * Exports a sequence-classification model from safetensors to ONNX with the user's Python tooling, then quantizes
 * it to int8 for CPUs (`model_quantized.onnx`; when quantizing fails the fp32 `model.onnx` is kept). Returns the ONNX
 * file to load.
 *
 * @throws UserError `conversion_tools_missing` with the exact commands to run by hand when no tool is found;
 *   SystemError `conversion_failed` with the tool's last words.
 */
export async function convertToOnnx(options: ConvertToOnnxOptions): Promise<{ modelFile: string }> {
  const { repository, commit, outputDirectory, env } = options;
  const tool =
    options.tool ??
    (await findConversionTool(env, options.workspace ? { workspace: options.workspace } : {}));
  if (!tool) {
    throw new UserError({
      code: 'conversion_tools_missing',
      message: `${repository} ships safetensors only, and neither uv, pipx nor optimum-cli is installed to convert it to ONNX. Run:\n${manualConversionCommands({ repository, commit, outputDirectory }).join('\n')}\nthen set roles.guard.promptGuard.modelPath to ${outputDirectory} in herd.config.json (or install uv, https://docs.astral.sh/uv/, and run herd guard setup again).`,
    });
  }
  const run = async (args: string[]) => {
    const [program, ...prefix] = tool.command;
    options.onCommand?.([program, ...prefix, ...args].join(' '));
    const result = await execa(program, [...prefix, ...args], {
      env,
      extendEnv: false,
      reject: false,
      all: true,
    });
    return result;
  };
  const exported = await run([
    'export',
    'onnx',
    '--model',
    repository,
    '--revision',
    commit,
    '--task',
    'text-classification',
    outputDirectory,
  ]);
  if (exported.exitCode !== 0 || !existsSync(join(outputDirectory, 'model.onnx'))) {
    throw new SystemError({
      code: 'conversion_failed',
      message: `Exporting ${repository} to ONNX with ${tool.name} failed (exit ${exported.exitCode ?? exported.signal}): ${lastLines(exported.all)}. Check HF_TOKEN for a gated repository, or run the commands by hand:\n${manualConversionCommands({ repository, commit, outputDirectory }).join('\n')}`,
    });
  }
  const quantizedDirectory = join(outputDirectory, 'quantized');
  const quantized = await run([
    'onnxruntime',
    'quantize',
    '--onnx_model',
    outputDirectory,
    '--avx2',
    '-o',
    quantizedDirectory,
  ]);
  const quantizedFile = join(quantizedDirectory, 'model_quantized.onnx');
  if (quantized.exitCode === 0 && existsSync(quantizedFile)) {
    await rename(quantizedFile, join(outputDirectory, 'model_quantized.onnx'));
    await rm(quantizedDirectory, { recursive: true, force: true });
    return { modelFile: 'model_quantized.onnx' };
  }
  await rm(quantizedDirectory, { recursive: true, force: true });
  return { modelFile: 'model.onnx' };
}

/** The commands that export and quantize the model by hand, in a virtual environment of their own. */
export function manualConversionCommands(options: {
  repository: string;
  commit: string;
  outputDirectory: string;
}): string[] {
  const { repository, commit, outputDirectory } = options;
  const venv = '/tmp/herd-optimum';
  return [
    `  python3 -m venv ${venv} && ${venv}/bin/pip install '${optimumPackage}'`,
    `  HF_TOKEN=<your read token> ${venv}/bin/optimum-cli export onnx --model ${repository} --revision ${commit} --task text-classification ${outputDirectory}`,
    `  ${venv}/bin/optimum-cli onnxruntime quantize --onnx_model ${outputDirectory} --avx2 -o ${outputDirectory}/quantized && mv ${outputDirectory}/quantized/model_quantized.onnx ${outputDirectory}/`,
  ];
}

function lastLines(output: string | undefined): string {
  const lines = (output ?? '').trim().split('\n').filter(Boolean);
  return lines.slice(-3).join(' / ').slice(0, 500) || 'no output';
}
