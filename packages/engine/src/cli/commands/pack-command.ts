import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HerdError, UserError } from '@herd/core/errors';
import { type Command, InvalidArgumentError } from 'commander';
import type { PackProgress } from '../../context/pack-progress.js';
import { packRepositoryDocument } from '../../context/pack-repository.js';
import type { PackStats } from '../../context/pack-stats.js';
import type { PackedDocument } from '../../context/packed-document.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/** Options of `herd pack` as commander parses them. */
interface PackCommandOptions {
  workspace?: string;
  /** The older name of `--workspace`, kept for scripts that use it. */
  root?: string;
  budget?: number;
  task?: string;
  out?: string;
  json?: boolean;
  exact?: boolean;
  cache: boolean;
}

/** Budget without a configured planner: Scout's served window on Together and OpenRouter (327,680) less room for prompt and output. */
const fallbackBudget = 300_000;

/**
 * The planner's served window less the output reserve and prompt overhead, as a run would pack; the fallback when
 * no provider is configured (packing needs no model). A configuration that is broken, or leaves no room for the
 * repository, is reported rather than silently replaced.
 */
async function defaultBudget(root: string): Promise<number> {
  // Loaded only here: the configuration's schemas are not needed to pack with a given budget.
  const [{ loadHerdConfig, resolveModelRole }, { plannerPackBudget }, { parseRunSettings }] =
    await Promise.all([
      import('@herd/core'),
      import('../../settings/planner-pack-budget.js'),
      import('../../settings/run-settings.js'),
    ]);
  let window: number;
  let reserve: number | undefined;
  try {
    const loaded = loadHerdConfig({ cwd: root });
    window = resolveModelRole({ config: loaded.config, role: 'planner' }).contextWindow;
    reserve = parseRunSettings(loaded.config.run, loaded.file ?? 'environment').outputReserve;
  } catch (error) {
    if (HerdError.find(error)?.code === 'no_provider') return fallbackBudget;
    throw error;
  }
  return plannerPackBudget({
    contextWindow: window,
    outputReserve: reserve,
    hint: 'Or pass --budget to pack for another window.',
  });
}

/**
 * Registers `herd pack`: packs a repository for the planner and prints the document (or writes it with `--out`),
 * with a progress bar on a terminal and a stats table at the end; `--json` prints the stats as JSON instead.
 */
export function registerPackCommand(program: Command): void {
  program
    .command('pack')
    .description('Pack a repository into one document for the planner, fitted to a token budget.')
    .option(
      '-w, --workspace <dir>',
      'repository to pack (default: the current directory)',
      parseWorkspaceArgument,
    )
    .option('--root <dir>', 'the same as --workspace', parseWorkspaceArgument)
    .option(
      '--budget <tokens>',
      "tokens the document may use (default: the configured planner's served window less reserves)",
      parseBudget,
    )
    .option('--task <text>', 'the task, to rank files when the repository does not fit')
    .option('--out <file>', 'write the document to this file instead of standard output')
    .option('--json', 'print the stats as JSON on standard output (the document goes to --out, if given)')
    .option('--exact', 'count every file exactly instead of extrapolating from a sample')
    .option('--no-cache', 'neither read nor write the cache under <workspace>/.herd/cache')
    .action(async (options: PackCommandOptions) => {
      // Checked before packing, so a mistyped --out does not cost a whole pack.
      const output = options.out ? outputPlaces(options.out) : undefined;
      const root = options.workspace ?? options.root ?? '.';
      const progress = createProgressBar(process.stderr);
      // The document stays on disk: written beside --out (or kept in the cache and copied there), or streamed to
      // standard output, never held in memory whole.
      const { document, stats } = await packRepositoryDocument(
        {
          root,
          budget: options.budget ?? (await defaultBudget(root)),
          ...(options.task ? { task: options.task } : {}),
          exact: options.exact ?? false,
          cache: options.cache,
          onProgress: progress.update,
        },
        output ? { path: output.temporary } : {},
      )
        .catch((error: unknown) => {
          if (output) rmSync(output.temporary, { force: true });
          throw error;
        })
        .finally(progress.done);
      try {
        if (output) writeOutput(output, document);
        else if (!options.json) await document.pipeTo(process.stdout);
      } finally {
        document.close();
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        return;
      }
      process.stderr.write(formatStatsTable(stats));
    });
}

function parseBudget(value: string): number {
  const budget = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(budget) || budget <= 0) {
    throw new InvalidArgumentError(`the budget must be a positive whole number of tokens, got ${value}.`);
  }
  return budget;
}

/** Where --out goes, and the temporary file beside it that is renamed into place once complete. */
interface OutputPlaces {
  target: string;
  temporary: string;
}

function outputPlaces(path: string): OutputPlaces {
  const target = resolve(path);
  const problem = !existsSync(dirname(target))
    ? `its folder ${dirname(target)} does not exist`
    : existsSync(target) && statSync(target).isDirectory()
      ? 'it is a folder'
      : undefined;
  if (problem) {
    throw new UserError({
      code: 'pack_output_unwritable',
      message: `The packed document cannot be written to ${target}: ${problem}; pass a file path in an existing folder as --out.`,
    });
  }
  return { target, temporary: join(dirname(target), `.${basename(target)}.${process.pid}.tmp`) };
}

/**
 * Puts the document at the target: copied beside it (nothing to copy when it was written there) and renamed, so
 * an interrupted or failed write never leaves half a document.
 */
function writeOutput(output: OutputPlaces, document: PackedDocument): void {
  const { target, temporary } = output;
  try {
    document.copyTo(temporary);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new UserError({
      code: 'pack_output_unwritable',
      message: `The packed document could not be written to ${target} (${(error as Error).message}); pass a writable --out path.`,
      cause: error,
    });
  }
}

/** A one-line progress bar redrawn in place; silent when the stream is not a terminal. */
function createProgressBar(stream: NodeJS.WriteStream): {
  update: (progress: PackProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < 80 && progress.done !== progress.total) return;
      last = now;
      const width = 30;
      const share = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
      const filled = Math.round(share * width);
      const counts = progress.total > 0 ? ` ${progress.done}/${progress.total}` : '';
      stream.write(
        `\r\x1b[2K${progress.phase.padEnd(6)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${counts}`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** The stats as an aligned two-column table, with the exclusions by reason and the largest files. */
export function formatStatsTable(stats: PackStats): string {
  const number = groupDigits;
  const byReason = new Map<string, number>();
  for (const file of stats.excluded) byReason.set(file.reason, (byReason.get(file.reason) ?? 0) + 1);
  const rows: [string, string][] = [
    ['root', stats.root],
    ['mode', stats.mode === 'whole' ? 'whole repository' : 'repository map + ranked files'],
    ['files seen', number(stats.files.seen)],
    ['files included', number(stats.files.included)],
    ['files in full', number(stats.files.inDocument)],
    [
      'files excluded',
      [...byReason].map(([reason, count]) => `${reason} ${number(count)}`).join(', ') || '0',
    ],
    ['bytes', number(stats.bytes)],
    [
      'tokens (files)',
      `${number(stats.tokens.files)} (${stats.tokens.method}, ${number(stats.tokens.exactFiles)} exact)`,
    ],
    ['tokens (document)', `${number(stats.tokens.document)} of ${number(stats.budget)} budget`],
  ];
  if (stats.mode === 'map') {
    rows.push([
      'left out',
      `${number(stats.cut.length)} files not in full, ${number(stats.mapTrimmed)} without symbols`,
    ]);
  }
  if (stats.redactions.length > 0) {
    rows.push([
      'redacted',
      stats.redactions.map((entry) => `${entry.path}:${entry.line} (${entry.rule})`).join(', '),
    ]);
  }
  if (stats.flagged.length > 0) rows.push(['flagged', stats.flagged.map((entry) => entry.path).join(', ')]);
  rows.push(['cache', `${number(stats.cache.hits)} hits, ${number(stats.cache.misses)} read`]);
  rows.push(['time', `${number(stats.durationMs)} ms`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const largest = stats.perFile
    .slice(0, 5)
    .map((file) => `  ${number(file.tokens).padStart(9)}  ${file.path}`);
  const warnings = stats.warnings.map((warning) => `warning: ${warning}`);
  return `${[...lines, 'largest files:', ...largest, ...warnings].join('\n')}\n`;
}

/**
 * A whole number with commas between groups of three digits, as `toLocaleString('en-US')` writes it, without
 * loading the locale data that its first call takes 40-90 ms to load on a loaded machine.
 */
function groupDigits(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+$)/g, ',');
}
