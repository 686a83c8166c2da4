import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { UserError } from '@herd/core';
import { execa } from 'execa';
import { defaultDenyGlobs } from '../jail/default-deny-globs.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { readIgnoreText } from './ignore-layer.js';
import { toRe2Syntax } from './linear-pattern.js';
import { createRipgrepMatchCheck } from './ripgrep-match-check.js';
import type { SearchMatch, SearchOutcome, SearchQuery } from './search-tool.js';
import { createWorkspaceIgnoreFilter } from './workspace-ignore-filter.js';

interface RipgrepMatchEvent {
  type: 'match';
  data: {
    path: { text?: string; bytes?: string };
    lines: { text?: string; bytes?: string };
    line_number: number;
  };
}

const textOf = (field: { text?: string; bytes?: string }): string =>
  field.text ?? Buffer.from(field.bytes ?? '', 'base64').toString('latin1');

const bytesOf = (field: { text?: string; bytes?: string }): Buffer =>
  field.text !== undefined ? Buffer.from(field.text, 'utf8') : Buffer.from(field.bytes ?? '', 'base64');

/** Globs for ripgrep that skip what the walker skips by name: git's and Herd's folders, Herd's temporary files. */
const hiddenNameGlobs = ['!.git', '!.herd', '!.*.herd-*.tmp'];

/**
 * Searches with ripgrep (`rg --json`), stopping it as soon as the result cap is reached. Matches are filtered with
 * the walker's ignore rules, so both engines hide the same files, and each is checked against the workspace file
 * read again through the jail, since ripgrep walks by name (see {@link createRipgrepMatchCheck}).
 */
export async function searchWithRipgrep(options: {
  ripgrep: string;
  jail: WorkspaceJail;
  query: SearchQuery;
  start: string;
  signal?: AbortSignal;
}): Promise<SearchOutcome> {
  const { ripgrep, jail, query, start, signal } = options;
  // The root's ignore rules are read by Herd (never through a symlink, a FIFO or past a size limit) and handed to
  // ripgrep as a private copy, which keeps it out of ignored folders even when the search starts below the root.
  const rules = await copyRootIgnoreRules(jail);
  try {
    return await runRipgrep({ ripgrep, jail, query, start, signal, rulesFile: rules?.file });
  } finally {
    if (rules) await rm(rules.folder, { recursive: true, force: true });
  }
}

/** Writes the root's ignore rules to a private temporary file for ripgrep; undefined when the root has none. */
async function copyRootIgnoreRules(
  jail: WorkspaceJail,
): Promise<{ folder: string; file: string } | undefined> {
  const root = await jail.openDirectory({ relative: '.', path: '.' });
  let text: string;
  try {
    text = await readIgnoreText(root.path);
  } finally {
    await root.close();
  }
  if (!text.trim()) return undefined;
  const folder = await mkdtemp(path.join(tmpdir(), 'herd-rg-'));
  const file = path.join(folder, 'ignore');
  await writeFile(file, text, { mode: 0o600 });
  return { folder, file };
}

/** The arguments of one ripgrep search. */
function ripgrepArguments(options: {
  query: SearchQuery;
  startRelative: string;
  rulesFile: string | undefined;
}): string[] {
  const { query, startRelative, rulesFile } = options;
  // ripgrep reads no ignore file itself: it would follow `sub/.gitignore -> /dev/zero` (which a repository can
  // hold) without end, and wait forever on a FIFO one. The root's rules come from Herd's copy; every other
  // folder's rules are applied to its matches by the walker's filter (see runRipgrep).
  const args = [
    '--no-config',
    '--json',
    '--hidden',
    '--no-require-git',
    '--no-ignore-vcs',
    '--no-ignore-dot',
    '--no-ignore-exclude',
    '--no-ignore-global',
    '--no-ignore-parent',
    '--max-filesize',
    '4M',
  ];
  // Names are compared without case, as a case-insensitive file system (macOS, Windows) opens them.
  for (const glob of hiddenNameGlobs) args.push('--iglob', glob);
  if (rulesFile) args.push('--ignore-file', rulesFile);
  for (const glob of defaultDenyGlobs) args.push('--iglob', `!${glob}`);
  if (query.glob) args.push('--glob', query.glob);
  if (query.literal) args.push('--fixed-strings');
  if (!query.caseSensitive) args.push('--ignore-case');
  args.push('--regexp', query.literal ? query.pattern : toRe2Syntax(query.pattern), '--', startRelative);
  return args;
}

/** Runs ripgrep and keeps the matches the walker would show, read again through the jail. */
async function runRipgrep(options: {
  ripgrep: string;
  jail: WorkspaceJail;
  query: SearchQuery;
  start: string;
  signal: AbortSignal | undefined;
  rulesFile: string | undefined;
}): Promise<SearchOutcome> {
  const { ripgrep, jail, query, start, signal, rulesFile } = options;
  const args = ripgrepArguments({ query, startRelative: jail.toRelative(start), rulesFile });

  const child = execa(ripgrep, args, {
    cwd: jail.root,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    stderr: 'pipe',
    ...(signal ? { cancelSignal: signal } : {}),
    env: { PATH: process.env.PATH ?? '' },
    extendEnv: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  // ripgrep reads no ignore file below the root, so its matches go through the walker's rules.
  const ignoreFilter = createWorkspaceIgnoreFilter({ jail, start });
  const confirms = createRipgrepMatchCheck(jail);
  const matches: SearchMatch[] = [];
  let truncated = false;
  const lines = createInterface({ input: child.stdout! });
  // ripgrep ends a search it ran with a summary; without one, exit code 2 means it rejected the pattern. Errors
  // met while walking (a file gone, a folder swapped) are left out: their messages name files it could not read.
  let summarized = false;
  for await (const output of lines) {
    if (!output.startsWith('{"type":"match"')) {
      if (output.endsWith('"type":"summary"}')) summarized = true;
      continue;
    }
    const event = JSON.parse(output) as RipgrepMatchEvent;
    const relative = textOf(event.data.path).replace(/^\.\//, '');
    if (await ignoreFilter.hides(relative)) continue;
    const line = event.data.line_number;
    if (!(await confirms({ relative, line, bytes: bytesOf(event.data.lines) }))) continue;
    if (matches.length >= query.maxResults) {
      truncated = true;
      child.kill();
      break;
    }
    matches.push({
      path: relative,
      line,
      text: textOf(event.data.lines)
        .replace(/\r?\n$/, '')
        .slice(0, 300),
    });
  }
  lines.close();
  const result = await child;
  if (!truncated && !summarized && result.exitCode === 2 && !signal?.aborted) {
    throw new UserError({
      code: 'invalid_pattern',
      message: `ripgrep rejected the search for '${query.pattern}' (${stderr.trim().split('\n').slice(-1)[0] ?? 'unknown error'}); simplify the pattern or pass literal: true.`,
    });
  }
  matches.sort((left, right) =>
    left.path === right.path ? left.line - right.line : left.path < right.path ? -1 : 1,
  );
  return { matches, truncated };
}
