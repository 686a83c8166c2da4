import { createHash } from 'node:crypto';

/**
 * The `attempt`th candidate suffix for the document's tags: eight hex characters derived from the file list, so
 * the same repository always gets the same one.
 */
export function fenceCandidate(options: { paths: readonly string[]; attempt: number }): string {
  const seed = createHash('sha256').update(options.paths.join('\n')).digest('hex');
  return options.attempt === 0
    ? seed.slice(0, 8)
    : createHash('sha256').update(`${seed}:${options.attempt}`).digest('hex').slice(0, 8);
}

/**
 * Picks the suffix that makes the document's tags unique: the first candidate (see {@link fenceCandidate}) that
 * occurs in none of `texts`, so no file can close or open a tag of the document. The texts are read once: a
 * candidate can only occur inside a run of eight or more hex digits, so the runs are collected and the candidates
 * tried against them.
 */
export function chooseFence(options: { paths: readonly string[]; texts: Iterable<string> }): string {
  const runs = new Set<string>();
  for (const text of options.texts) for (const match of text.matchAll(/[0-9a-f]{8,}/g)) runs.add(match[0]);
  for (let attempt = 0; ; attempt++) {
    const fence = fenceCandidate({ paths: options.paths, attempt });
    let found = false;
    for (const run of runs) {
      if (run.includes(fence)) {
        found = true;
        break;
      }
    }
    if (!found) return fence;
  }
}
