/** A region of a file that resembles a search block that was not found exactly. */
export interface ClosestCandidate {
  /** 1-based first line of the region. */
  line: number;
  /** The region's text. */
  text: string;
  /** Similarity from 0 to 1. */
  similarity: number;
}

const bigrams = (text: string): Map<string, number> => {
  const compact = text.replaceAll(/\s+/g, ' ').trim();
  const counts = new Map<string, number>();
  for (let index = 0; index < compact.length - 1; index += 1) {
    const pair = compact.slice(index, index + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
};

/** Dice coefficient of character bigrams, ignoring whitespace differences. */
const similarity = (left: Map<string, number>, leftSize: number, right: string): number => {
  const rightCounts = bigrams(right);
  let rightSize = 0;
  let shared = 0;
  for (const [pair, count] of rightCounts) {
    rightSize += count;
    shared += Math.min(count, left.get(pair) ?? 0);
  }
  return leftSize + rightSize === 0 ? 0 : (2 * shared) / (leftSize + rightSize);
};

/**
 * Finds the regions of `text` most similar to `search` (same number of lines), best first, so a model whose
 * search block did not match exactly can see what the file really says there.
 */
export function findClosestCandidates(options: {
  text: string;
  search: string;
  limit?: number;
}): ClosestCandidate[] {
  const { text, search, limit = 3 } = options;
  const lines = text.split('\n');
  const searchLines = search.replace(/\n$/, '').split('\n');
  const height = Math.max(1, searchLines.length);
  const wanted = bigrams(search);
  let wantedSize = 0;
  for (const count of wanted.values()) wantedSize += count;
  const scored: ClosestCandidate[] = [];
  const windows = Math.min(Math.max(1, lines.length - height + 1), 20_000);
  for (let start = 0; start < windows; start += 1) {
    const region = lines.slice(start, start + height).join('\n');
    scored.push({ line: start + 1, text: region, similarity: similarity(wanted, wantedSize, region) });
  }
  scored.sort((left, right) => right.similarity - left.similarity || left.line - right.line);
  const chosen: ClosestCandidate[] = [];
  for (const candidate of scored) {
    if (chosen.length >= limit || candidate.similarity < 0.3) break;
    // Skip regions overlapping a better one; they show the same place.
    if (chosen.some((other) => Math.abs(other.line - candidate.line) < height)) continue;
    chosen.push(candidate);
  }
  return chosen;
}
