// Which files Repomix packs and Herd leaves out (with Herd's reason for each), and which Herd packs and Repomix
// does not: the difference in work behind the pack bench's ratios.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The files of a Repomix plain output, with the characters of each. */
function repomixFiles(path) {
  const text = readFileSync(path, 'utf8');
  const separator = '================\nFile: ';
  const files = new Map();
  let at = text.indexOf(separator);
  while (at !== -1) {
    const start = at + separator.length;
    const end = text.indexOf('\n', start);
    const next = text.indexOf(separator, end);
    files.set(text.slice(start, end), (next === -1 ? text.length : next) - end);
    at = next;
  }
  return files;
}

/** The files of a Herd document, by its fenced tags. */
function herdFiles(path) {
  const text = readFileSync(path, 'utf8');
  const fence = /^<repository-([0-9a-f]{8}) /.exec(text)?.[1];
  if (!fence) throw new Error(`${path} is not a packed document`);
  const files = new Set();
  for (const match of text.matchAll(new RegExp(`<file-${fence} path=("(?:[^"\\\\]|\\\\.)*")`, 'g')))
    files.add(JSON.parse(match[1]));
  return files;
}

/**
 * Lines describing the difference, by Herd's reason for leaving a file out (from `herd pack --json`; an ignored
 * directory stands for the files under it). Packs the whole repository once more with --json, from the cache.
 */
export function compareFileLists({ herdCli, root, repomixOutput, environment, workDirectory }) {
  const output = join(workDirectory, 'compare-herd.txt');
  const result = spawnSync(
    process.execPath,
    [herdCli, 'pack', '--root', root, '--budget', '1000000000', '--json', '--out', output],
    { encoding: 'utf8', env: environment, maxBuffer: 512 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`herd pack --json failed: ${result.stderr.slice(-2000)}`);
  const stats = JSON.parse(result.stdout);
  const herd = herdFiles(output);
  rmSync(output, { force: true });
  const repomix = repomixFiles(repomixOutput);
  const excluded = new Map(stats.excluded.map((file) => [file.path, file]));
  const directories = stats.excluded.filter((file) => file.path.endsWith('/'));
  const reasonOf = (path) =>
    excluded.get(path) ?? directories.find((directory) => path.startsWith(directory.path));
  const byReason = new Map();
  for (const [path, characters] of repomix) {
    if (herd.has(path)) continue;
    const reason = reasonOf(path);
    const key = reason
      ? `${reason.reason}${reason.detail ? ` (${reason.detail.replace(/^\d+ bytes$/, 'over 1 MiB')})` : ''}`
      : 'no reason given';
    const entry = byReason.get(key) ?? { files: 0, characters: 0, examples: [] };
    entry.files++;
    entry.characters += characters;
    if (entry.examples.length < 3) entry.examples.push(path);
    byReason.set(key, entry);
  }
  const lines = [...byReason]
    .sort((left, right) => right[1].files - left[1].files)
    .map(
      ([key, entry]) =>
        `${key}: ${entry.files} files, ${(entry.characters / 1e6).toFixed(2)}M characters (e.g. ${entry.examples.join(', ')})`,
    );
  const onlyHerd = [...herd].filter((path) => !repomix.has(path));
  lines.push(
    `Herd only: ${onlyHerd.length} files${onlyHerd.length > 0 ? ` (e.g. ${onlyHerd.slice(0, 3).join(', ')})` : ''}`,
  );
  lines.push(`in both: ${[...herd].filter((path) => repomix.has(path)).length} files`);
  return lines;
}
