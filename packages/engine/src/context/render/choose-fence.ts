import { createHash } from 'node:crypto';

/**
 * Picks the suffix that makes the document's tags unique: eight hex characters derived from the file list (so
 * the same repository always gets the same one) that occur in no file's content, so no file can close or
 * open a tag of the document.
 */
export function chooseFence(options: { paths: readonly string[]; contents: readonly string[] }): string {
  const seed = createHash('sha256').update(options.paths.join('\n')).digest('hex');
  for (let attempt = 0; ; attempt++) {
    const fence =
      attempt === 0
        ? seed.slice(0, 8)
        : createHash('sha256').update(`${seed}:${attempt}`).digest('hex').slice(0, 8);
    if (!options.contents.some((content) => content.includes(fence))) return fence;
  }
}
