import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { recordsBeganKey } from './checkpoint-history.js';
import { holdsCheckpointReference } from './checkpoint-reference-file.js';

/** One `key = value` line of a git config file, in the order written. */
export interface ConfigLine {
  /** The section as written (`core`). */
  section: string;
  /** The key as written (`recordsBeganAfter`). */
  key: string;
  value: string;
}

/**
 * The settings Herd gives every shadow repository: exact bytes (no end-of-line conversion), links stored as links,
 * no automatic gc (no `git gc` started in the middle of a snapshot).
 */
export const herdSettings: readonly (readonly [section: string, key: string, value: string])[] = [
  ['core', 'autocrlf', 'false'],
  ['core', 'safecrlf', 'false'],
  ['core', 'symlinks', 'true'],
  ['gc', 'auto', '0'],
];

// What `git init --template=` writes (some of it probed from the file system), and nothing else: a key outside
// these and Herd's own means someone else wrote the file, and the store is configured again through git.
const initKeys = new Set([
  'core.repositoryformatversion',
  'core.filemode',
  'core.bare',
  'core.logallrefupdates',
  'core.worktree',
  'core.symlinks',
  'core.ignorecase',
  'core.precomposeunicode',
]);
const herdKeys = new Set(
  [...herdSettings.map(([section, key]) => `${section}.${key}`), recordsBeganKey].map((name) =>
    name.toLowerCase(),
  ),
);
const nameOf = (line: ConfigLine) => `${line.section}.${line.key}`.toLowerCase();

/**
 * Reads a config file in the plain form git writes it: `[section]` headers and tab-indented `key = value` lines
 * whose values need no quoting. Anything else (subsections, comments, quotes, escapes, includes, a key without a
 * value) is undefined: Herd does not interpret what it did not write, it hands the file to git instead.
 */
export function parsePlainConfig(text: string): ConfigLine[] | undefined {
  const lines: ConfigLine[] = [];
  let section: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const header = /^\[([A-Za-z][A-Za-z0-9-]*)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      // An include would make git read another file too.
      if (section.toLowerCase() === 'include') return undefined;
      continue;
    }
    const entry = /^\t([A-Za-z][A-Za-z0-9-]*) = ([^\s"\\#;](?:[^\t"\\#;]*[^\s"\\#;])?)$/.exec(line);
    if (!entry || section === undefined) return undefined;
    lines.push({ section, key: entry[1]!, value: entry[2]! });
  }
  return text === '' || text.endsWith('\n') ? lines : undefined;
}

/** The value git reads for a key: the last one written. */
function lastValue(lines: readonly ConfigLine[], name: string): string | undefined {
  return lines.findLast((line) => nameOf(line) === name.toLowerCase())?.value;
}

/**
 * True when a shadow repository's config is exactly Herd's own: only what `git init` writes and Herd's settings,
 * with Herd's values, the start of change records noted, and the plain repository format (version 0: loose and
 * packed refs in files, which Herd reads and writes itself).
 */
export function isHerdConfiguration(lines: readonly ConfigLine[]): boolean {
  if (!lines.every((line) => initKeys.has(nameOf(line)) || herdKeys.has(nameOf(line)))) return false;
  if (lastValue(lines, 'core.repositoryformatversion') !== '0') return false;
  if (!/^(?:none|[0-9a-f]{40})$/.test(lastValue(lines, recordsBeganKey) ?? '')) return false;
  return herdSettings.every(([section, key, value]) => lastValue(lines, `${section}.${key}`) === value);
}

/** Renders config lines as git writes them, a section's keys under one header in the order first seen. */
function render(lines: readonly ConfigLine[]): string {
  const sections = new Map<string, ConfigLine[]>();
  for (const line of lines) {
    const name = line.section.toLowerCase();
    sections.set(name, [...(sections.get(name) ?? []), line]);
  }
  return [...sections.values()]
    .map((entries) =>
      [`[${entries[0]!.section}]`, ...entries.map((entry) => `\t${entry.key} = ${entry.value}`)].join('\n'),
    )
    .join('\n')
    .concat('\n');
}

/** Sets a key the way `git config KEY VALUE` does: its last line gets the value, or a line is added. */
function withValue(lines: readonly ConfigLine[], line: ConfigLine): ConfigLine[] {
  const last = lines.findLastIndex((entry) => nameOf(entry) === nameOf(line));
  return last === -1
    ? [...lines, line]
    : lines.map((entry, index) => (index === last ? { ...entry, value: line.value } : entry));
}

/**
 * Configures a repository `git init` has just created, in one write: Herd's settings, and change records beginning
 * now (`none`: no checkpoint before them). Written as git writes its config, through `config.lock` (so no git reads
 * a half-written file and no two writers mix), and only while the file holds just what `git init` put there and
 * the repository has no checkpoint yet.
 *
 * @returns the config written, or undefined when the repository is not like that (or the lock is taken): then
 *   configure it through git.
 */
export async function configureNewRepository(directory: string): Promise<ConfigLine[] | undefined> {
  const file = path.join(directory, 'config');
  const lock = `${file}.lock`;
  const handle = await open(lock, 'wx', 0o644).catch(() => undefined);
  if (!handle) return undefined;
  let written = false;
  try {
    const lines = parsePlainConfig(await readFile(file, 'utf8'));
    if (!lines?.every((line) => initKeys.has(nameOf(line)))) return undefined;
    if (await holdsCheckpointReference(directory)) return undefined;
    let configured = lines;
    for (const [section, key, value] of herdSettings) {
      configured = withValue(configured, { section, key, value });
    }
    configured = withValue(configured, { section: 'herd', key: 'recordsBeganAfter', value: 'none' });
    await handle.writeFile(render(configured));
    await handle.close();
    await rename(lock, file);
    written = true;
    return configured;
  } catch {
    return undefined;
  } finally {
    if (!written) {
      await handle.close().catch(() => {});
      await rm(lock, { force: true });
    }
  }
}
