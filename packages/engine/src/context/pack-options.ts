import { type TokenCounter, UserError } from '@herd/core';
import { z } from 'zod';
import type { ContentScanner } from './content-scanner.js';
import type { PackProgress } from './pack-progress.js';

/** Which kinds of files are left out by default; each can be turned back on. */
export const PackSelectionSchema = z.object({
  /** Largest file included, in bytes. Default 1 MiB. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Include lockfiles (`pnpm-lock.yaml`, `Cargo.lock`, …). Default false. */
  includeLockfiles: z.boolean().default(false),
  /** Include generated files (`*.generated.*`, `*.pb.go`, `dist/`, snapshots, …). Default false. */
  includeGenerated: z.boolean().default(false),
  /** Include minified files (`*.min.js`, or JS/CSS with very long lines). Default false. */
  includeMinified: z.boolean().default(false),
  /** Extra gitignore-style patterns to leave out, relative to the root. */
  exclude: z.array(z.string()).default([]),
});
/** Which kinds of files are left out by default; each can be turned back on. */
export type PackSelection = z.infer<typeof PackSelectionSchema>;
/** Input form of {@link PackSelection}; every field is optional. */
export type PackSelectionInput = z.input<typeof PackSelectionSchema>;

/** The plain-data part of {@link PackRepositoryOptions}, checked at the boundary. */
export const PackSettingsSchema = z.object({
  /** Directory to pack. */
  root: z.string().min(1),
  /**
   * Tokens the packed document may use: the planner's served context window minus the system prompt, the task
   * and the output reserve.
   */
  budget: z.number().int().positive(),
  /** The task, used to rank files when the repository does not fit. */
  task: z.string().optional(),
  /** Count every file exactly instead of extrapolating from a sample. Default false. */
  exact: z.boolean().default(false),
  /** Use and update the cache under `<root>/.herd/cache`. Default true. */
  cache: z.boolean().default(true),
  /** Worker threads for exact counting; default one per core, at most 4. */
  workers: z.number().int().min(0).max(64).optional(),
  /** File selection rules. */
  selection: PackSelectionSchema.default(PackSelectionSchema.parse({})),
});
/** The plain-data part of {@link PackRepositoryOptions} after defaults. */
export type PackSettings = z.infer<typeof PackSettingsSchema>;

/** Options for `packRepository`. */
export interface PackRepositoryOptions extends z.input<typeof PackSettingsSchema> {
  /**
   * Counts tokens for headers and exact file counts. Default: exact o200k (`countO200kTokens`), in worker threads.
   * A custom counter runs on the main thread and counts every file exactly.
   */
  tokenCounter?: TokenCounter;
  /** Called as work progresses, for a progress bar. */
  onProgress?: (progress: PackProgress) => void;
  /**
   * Judges each included file's content (secrets, prompt injection) before it enters the document, e.g.
   * `@herd/guard` at the `repo_content` scan point. Verdicts are cached by content hash.
   */
  scanContent?: ContentScanner;
  /**
   * Identifies the scanner's configuration (e.g. a hash of the guard policy). With it, the whole packed result of an
   * unchanged work tree is reused; without it, a pack with a scanner always reads the cache file by file.
   */
  scanContentKey?: string;
}

/**
 * The settings of a pack from its options, checked once at the boundary (the counter, progress callback and
 * scanner are functions, not settings).
 *
 * @throws UserError `pack_options_invalid`, naming the option and what to pass instead.
 */
export function parsePackSettings(options: PackRepositoryOptions): PackSettings {
  const {
    tokenCounter: _counter,
    onProgress: _progress,
    scanContent: _scanner,
    scanContentKey: _scannerKey,
    ...plain
  } = options;
  const parsed = PackSettingsSchema.safeParse(plain);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'options';
  throw new UserError({
    code: 'pack_options_invalid',
    message: `The pack option ${field} is invalid (${issue.message}); pass a valid value.`,
    hint: field === 'budget' ? 'The budget is a positive whole number of tokens, e.g. 300000.' : undefined,
  });
}
