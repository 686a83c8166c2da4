import type { ShadowRepository } from './shadow-repository.js';

// Pathspecs given to one `git diff`, by total length: well below the kernel's limit on a command line.
const batchCharacters = 64 * 1024;

/**
 * The unified diff of each path between two snapshots (`Binary files … differ` for binary files), as
 * `git diff --no-ext-diff --no-textconv --no-color FROM TO -- PATH` prints it, with one git process for many paths:
 * the output is cut at its `diff --git a/PATH b/PATH` headers (no line of a patch's body starts like that). A path
 * git writes otherwise in a header (quoted: unusual characters) is diffed on its own, as before.
 */
export async function diffSnapshotPaths(options: {
  git: ShadowRepository['git'];
  from: string;
  to: string;
  paths: readonly string[];
}): Promise<Map<string, string>> {
  const { git, from, to, paths } = options;
  const diff = (selected: readonly string[]) =>
    git([
      'diff',
      '--no-ext-diff',
      '--no-textconv',
      '--no-color',
      from,
      to,
      '--',
      ...selected.map((file) => `:(literal)${file}`),
    ]);
  const diffs = new Map<string, string>();
  if (paths.length > 1) {
    for (const batch of batches(paths)) {
      for (const [file, text] of cutAtHeaders(await diff(batch), batch)) diffs.set(file, text);
    }
  }
  for (const file of paths) if (!diffs.has(file)) diffs.set(file, await diff([file]));
  return diffs;
}

/** Paths in groups whose pathspecs stay below {@link batchCharacters}. */
function batches(paths: readonly string[]): string[][] {
  const groups: string[][] = [[]];
  let size = 0;
  for (const file of paths) {
    if (size + file.length > batchCharacters && groups.at(-1)!.length > 0) {
      groups.push([]);
      size = 0;
    }
    groups.at(-1)!.push(file);
    size += file.length + 12;
  }
  return groups;
}

/**
 * Cuts `git diff` output into each path's part: from its `diff --git a/PATH b/PATH` header to the next header (a
 * file that became a link, or the reverse, has two parts: both are its diff).
 */
function cutAtHeaders(output: string, paths: readonly string[]): Map<string, string> {
  const byHeader = new Map(paths.map((file) => [`diff --git a/${file} b/${file}`, file]));
  const found = new Map<string, string>();
  const starts = output.startsWith('diff --git ') ? [0] : [];
  for (let at = output.indexOf('\ndiff --git '); at !== -1; at = output.indexOf('\ndiff --git ', at + 1)) {
    starts.push(at + 1);
  }
  starts.forEach((start, index) => {
    const end = starts[index + 1] ?? output.length;
    const headerEnd = output.indexOf('\n', start);
    const file = byHeader.get(output.slice(start, headerEnd === -1 ? end : headerEnd));
    if (file !== undefined) found.set(file, (found.get(file) ?? '') + output.slice(start, end));
  });
  return found;
}
