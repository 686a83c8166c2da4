/** Options for {@link rankFiles}. */
export interface RankFilesOptions {
  /** Every included path. */
  paths: readonly string[];
  /** Edges from a file to the files it imports. */
  imports: ReadonlyMap<string, readonly string[]>;
  /** Relevance to the task per path (0 when unrelated). */
  relevance: ReadonlyMap<string, number>;
  /** Recent git activity per path. */
  activity: ReadonlyMap<string, number>;
}

const damping = 0.85;
const iterations = 30;

/**
 * Ranks files the way Aider's repository map does: PageRank over the import graph (a file many others import
 * is central), personalized towards files relevant to the task and files changed recently. Returns the paths
 * best first; ties break by path so the order is deterministic.
 */
export function rankFiles(options: RankFilesOptions): string[] {
  const { paths } = options;
  const count = paths.length;
  if (count === 0) return [];
  const indexOf = new Map(paths.map((path, index) => [path, index]));
  const maximumActivity = Math.max(1e-9, ...options.activity.values());
  const personal = new Float64Array(count);
  paths.forEach((path, index) => {
    personal[index] =
      1 + 25 * (options.relevance.get(path) ?? 0) + 3 * ((options.activity.get(path) ?? 0) / maximumActivity);
  });
  normalize(personal);
  const outgoing: number[][] = paths.map((path) => {
    const targets = new Set<number>();
    for (const target of options.imports.get(path) ?? []) {
      const index = indexOf.get(target);
      if (index !== undefined && target !== path) targets.add(index);
    }
    return [...targets];
  });
  let rank = Float64Array.from(personal);
  for (let step = 0; step < iterations; step++) {
    const next = new Float64Array(count);
    let dangling = 0;
    for (let source = 0; source < count; source++) {
      const targets = outgoing[source]!;
      if (targets.length === 0) {
        dangling += rank[source]!;
        continue;
      }
      const share = rank[source]! / targets.length;
      for (const target of targets) next[target]! += share;
    }
    for (let index = 0; index < count; index++) {
      next[index] = damping * (next[index]! + dangling * personal[index]!) + (1 - damping) * personal[index]!;
    }
    rank = next;
  }
  // Relevance also counts directly, so a file named in the task ranks high even if nothing imports it.
  const score = (index: number) => rank[index]! * (1 + 4 * (options.relevance.get(paths[index]!) ?? 0));
  return paths
    .map((path, index) => ({ path, score: score(index) }))
    .sort((left, right) => right.score - left.score || (left.path < right.path ? -1 : 1))
    .map((entry) => entry.path);
}

function normalize(values: Float64Array): void {
  let total = 0;
  for (const value of values) total += value;
  for (let index = 0; index < values.length; index++) values[index]! /= total;
}
