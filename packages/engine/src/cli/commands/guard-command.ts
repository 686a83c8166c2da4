import { type Dirent, lstatSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ensureConfigTrusted, loadHerdConfig, ScanPointSchema, UserError } from '@herd/core';
// Types only: the guard package (classifier runtimes) is loaded when a guard command runs, not at start.
import type { AuditRecord, GuardMode, GuardVerdict, ScanPoint } from '@herd/guard';
import { type Command, InvalidArgumentError } from 'commander';
import { prepareHerdDirectory } from '../../herd/herd-directory.js';
import { loadConfigSectionJudges } from '../../settings/config-section-judges.js';
import { exitCodes } from '../report-cli-error.js';
import { terminalConfigTrust } from '../runs/terminal-config-trust.js';
import { registerGuardSetupCommand } from './guard-setup-command.js';

/** Options of `herd guard scan` as commander parses them. */
interface ScanCommandOptions {
  point: ScanPoint;
  mode?: string;
  policy?: string;
  json?: boolean;
  cache: boolean;
  audit: boolean;
}

/** Options of `herd guard log` as commander parses them. */
interface LogCommandOptions {
  limit: number;
  json?: boolean;
  file?: string;
}

/** One scanned input and its verdict. */
interface ScannedItem {
  path: string;
  verdict: GuardVerdict;
}

// Folders that hold dependencies, build output or Herd's own state, never content to judge.
const skippedFolders = new Set(['.git', 'node_modules', '.herd', 'dist', '.next', 'target', '.venv']);
const largestFile = 2 * 1024 * 1024;

/**
 * Registers `herd guard setup` (see `registerGuardSetupCommand`), `herd guard scan <paths... | ->` (local scanners always; Prompt Guard and Llama Guard when configured;
 * a table or `--json`; exit 2 when anything is blocked) and `herd guard log` (the audit log, newest last).
 */
export function registerGuardCommand(program: Command): void {
  const guard = program
    .command('guard')
    .description('Set up Prompt Guard 2, scan content with the guard and read its audit log');
  registerGuardSetupCommand(guard);
  guard
    .command('scan')
    .description(
      'Scan files, folders or standard input (-) under the guard policy; exit 2 when anything is blocked',
    )
    .argument('<paths...>', 'files or folders to scan, or - for standard input')
    .option(
      '--point <point>',
      `scan point: ${ScanPointSchema.options.join(', ')}`,
      parsePoint,
      'repo_content',
    )
    .option('--mode <mode>', 'plan, act or ci (default: ci when CI is set, else act)')
    .option('--policy <policy>', 'a preset (strict, balanced, off) instead of the configured policy')
    .option('--json', 'print the verdicts as JSON')
    .option('--no-cache', 'do not read or write the on-disk finding cache')
    .option('--no-audit', 'do not append to the audit log')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      const { createGuardFromConfig, GuardModeSchema } = await import('@herd/guard');
      const mode = parseMode(options.mode ?? (process.env.CI ? 'ci' : 'act'), GuardModeSchema.options);
      const loaded = loadHerdConfig();
      // Llama Guard gets the files and a key: a configuration that sends them elsewhere, or turns a classifier off,
      // needs a person as it does for a run.
      const confirm = terminalConfigTrust();
      await ensureConfigTrusted({
        loaded,
        workspace: process.cwd(),
        judges: await loadConfigSectionJudges(),
        ...(confirm === 'refuse' ? {} : confirm),
      });
      // The finding cache and the audit log go under .herd, which must ignore itself in git before they do.
      if (options.cache || options.audit) prepareHerdDirectory(loaded.baseDirectory);
      const configured = await createGuardFromConfig({
        config: loaded.config,
        baseDirectory: loaded.baseDirectory,
        mode,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.cache ? {} : { cacheDirectory: false }),
        ...(options.audit ? {} : { auditLogPath: false }),
      });
      try {
        const { inputs, skipped } = await readInputs(paths);
        const verdicts = await configured.guard.scanMany(
          inputs.map((input) => ({ point: options.point, text: input.text, source: input.path })),
        );
        const items = inputs.map((input, index) => ({
          path: input.path,
          verdict: verdicts[index] as GuardVerdict,
        }));
        const blocked = items.filter((item) => item.verdict.action === 'block').length;
        if (options.json) {
          const report = {
            policy: configured.guard.policy.name,
            point: options.point,
            mode,
            classifiers: configured.classifiers,
            skippedClassifiers: configured.skippedClassifiers,
            blocked,
            skipped,
            items: items.map(({ path, verdict }) => ({ path, ...verdict, text: undefined })),
          };
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        } else {
          process.stdout.write(
            renderScan({ items, policy: configured.guard.policy.name, mode, point: options.point }),
          );
          for (const classifier of configured.classifiers) {
            if (classifier.state === 'on') continue;
            process.stderr.write(`herd: ${classifier.name} ${classifier.state}: ${classifier.reason}.\n`);
          }
          for (const file of skipped)
            process.stderr.write(`herd: not scanned: ${file.path}: ${file.reason}.\n`);
        }
        process.exitCode = blocked > 0 ? exitCodes.blocked : exitCodes.success;
      } finally {
        await configured.close();
      }
    });
  guard
    .command('log')
    .description('Print the guard audit log (newest last)')
    .option('--limit <count>', 'show only the last <count> records', parseLimit, 50)
    .option('--file <path>', "audit log file (default: the guard's audit log beside the configuration)")
    .option('--json', 'print the records as JSON lines')
    .action(async (options: LogCommandOptions) => {
      const { defaultAuditLogPath, readAuditLog } = await import('@herd/guard');
      const path = options.file
        ? resolve(options.file)
        : resolve(loadHerdConfig().baseDirectory, defaultAuditLogPath);
      const { records, invalidLines } = await readAuditLog({ path, limit: options.limit });
      if (options.json) {
        for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
      } else {
        process.stdout.write(
          records.length === 0 ? `No guard decisions recorded in ${path}.\n` : renderLog(records),
        );
      }
      if (invalidLines.length > 0) {
        process.stderr.write(
          `herd: skipped ${invalidLines.length} unreadable line(s) of ${path}: ${invalidLines.slice(0, 5).join(', ')}\n`,
        );
      }
      process.exitCode = exitCodes.success;
    });
}

/** A file the scan could not judge, and why; reported so that "nothing blocked" is never mistaken for "all checked". */
interface SkippedFile {
  path: string;
  reason: string;
}

async function readInputs(
  paths: readonly string[],
): Promise<{ inputs: Array<{ path: string; text: string }>; skipped: SkippedFile[] }> {
  const inputs: Array<{ path: string; text: string }> = [];
  const skipped: SkippedFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ path: '-', text: await readStandardInput() });
      continue;
    }
    const named = statOrUndefined(path, statSync);
    if (!named) {
      throw new UserError({
        code: 'path_missing',
        message: `'${path}' does not exist${lstatOrUndefined(path) ? ' (a broken or looping symbolic link)' : ''}; pass files, folders or - for standard input.`,
      });
    }
    if (named.isFile()) {
      // A file named on the command line is judged or refused, never passed over in silence.
      const read = readScannable(path, named.size);
      if ('reason' in read) {
        throw new UserError({
          code: 'path_unscannable',
          message: `'${path}' cannot be scanned: ${read.reason}; pass text files, or - to pipe the text in.`,
        });
      }
      inputs.push({ path: relative(process.cwd(), path) || path, text: read.text });
      continue;
    }
    if (!named.isDirectory()) {
      throw new UserError({
        code: 'path_unscannable',
        message: `'${path}' is neither a file nor a folder (a device, socket or pipe); pass files, folders, or - to pipe the text in.`,
      });
    }
    for (const file of listFiles(path, skipped)) {
      const read = readScannable(file.path, file.size);
      const shown = relative(process.cwd(), file.path) || file.path;
      if ('reason' in read) skipped.push({ path: shown, reason: read.reason });
      else inputs.push({ path: shown, text: read.text });
    }
  }
  return { inputs, skipped };
}

/**
 * Standard input, held to the same limit as a file: reading stops, and the scan is refused, once it passes
 * {@link largestFile}, so `herd guard scan - < /dev/zero` ends instead of filling the memory.
 */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.from(chunk as Buffer);
    size += bytes.length;
    if (size > largestFile) {
      process.stdin.destroy();
      throw new UserError({
        code: 'input_too_large',
        message: `Standard input is larger than ${largestFile / 1024 / 1024} MiB, the most \`herd guard scan\` reads; scan the text in parts, or save it to files and pass the folder.`,
      });
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readScannable(path: string, size: number): { text: string } | { reason: string } {
  if (size > largestFile) return { reason: `larger than ${largestFile / 1024 / 1024} MiB` };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return { reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary' };
  return { text: bytes.toString('utf8') };
}

/** Regular files under a folder; symbolic links are not followed (they may loop or leave the tree). */
function listFiles(directory: string, skipped: SkippedFile[]): Array<{ path: string; size: number }> {
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    skipped.push({
      path: relative(process.cwd(), directory) || directory,
      reason: `unreadable folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
    return [];
  }
  return entries
    .filter((entry) => !(entry.isDirectory() && skippedFolders.has(entry.name)))
    .sort((left, right) => left.name.localeCompare(right.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return listFiles(path, skipped);
      if (entry.isSymbolicLink()) {
        skipped.push({
          path: relative(process.cwd(), path) || path,
          reason: 'symbolic link (name it to scan its target)',
        });
        return [];
      }
      if (!entry.isFile()) return [];
      const stats = statOrUndefined(path, statSync);
      return stats ? [{ path, size: stats.size }] : [];
    });
}

function statOrUndefined(path: string, stat: typeof statSync): Stats | undefined {
  try {
    return stat(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  return statOrUndefined(path, lstatSync);
}

function renderScan(options: {
  items: ScannedItem[];
  policy: string;
  mode: GuardMode;
  point: ScanPoint;
}): string {
  const { items, policy, mode, point } = options;
  const rows = items.map(({ path, verdict }) => {
    const findings = verdict.results
      .filter((result) => result.action !== 'allow')
      .map((result) =>
        result.error
          ? `${result.scanner} error (${result.error.code})`
          : `${result.scanner} ${result.categories.length > 0 ? result.categories.join(',') : (result.score ?? 0).toFixed(2)}`,
      );
    return [verdict.action.toUpperCase(), path, findings.join('; ') || '-'];
  });
  const width = Math.max(4, ...rows.map((row) => (row[1] as string).length));
  const lines = [`${'ACTION'.padEnd(7)} ${'PATH'.padEnd(width)} FINDINGS`];
  for (const [action, path, findings] of rows)
    lines.push(`${(action as string).padEnd(7)} ${(path as string).padEnd(width)} ${findings}`);
  const counts = new Map<string, number>();
  for (const { verdict } of items) counts.set(verdict.action, (counts.get(verdict.action) ?? 0) + 1);
  const summary = [...counts].map(([action, count]) => `${count} ${action}`).join(', ') || 'nothing scanned';
  lines.push('', `${items.length} scanned at ${point} (policy ${policy}, mode ${mode}): ${summary}`);
  return `${lines.join('\n')}\n`;
}

function renderLog(records: readonly AuditRecord[]): string {
  const lines = records.map((record) =>
    [
      record.time.replace('T', ' ').slice(0, 19),
      record.point.padEnd(12),
      record.mode.padEnd(4),
      record.scanner.padEnd(12),
      record.action.padEnd(6),
      record.score === null ? '  -  ' : record.score.toFixed(3),
      record.categories.join(',') || '-',
      record.source ?? '',
      record.excerpt.slice(0, 60),
    ].join('  '),
  );
  return `${lines.join('\n')}\n`;
}

function parsePoint(value: string): ScanPoint {
  const parsed = ScanPointSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`use one of ${ScanPointSchema.options.join(', ')}`);
  return parsed.data;
}

/** Checks `--mode` once the guard package (which defines the modes) is loaded. */
function parseMode(value: string, modes: readonly GuardMode[]): GuardMode {
  const mode = modes.find((candidate) => candidate === value);
  if (mode) return mode;
  throw new UserError({
    code: 'guard_mode_invalid',
    message: `The guard mode ${JSON.stringify(value)} is not one of ${modes.join(', ')}; pass one of them with --mode.`,
  });
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit <= 0) throw new InvalidArgumentError('use a positive whole number');
  return limit;
}
