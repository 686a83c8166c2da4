const stopWords = new Set(
  'the and for with that this from into when what where which while should would could make sure fix add use ' +
    'file files code test tests function class method error bug issue change update remove support'.split(
      ' ',
    ),
);

/** The words of a task worth matching: identifiers, path fragments and words of four letters or more. */
export function taskTerms(task: string): string[] {
  const terms = new Set<string>();
  for (const match of task.matchAll(/[A-Za-z_$][\w$./-]*/g)) {
    const word = match[0].replace(/[./-]+$/, '');
    if (word.length < 4 || stopWords.has(word.toLowerCase())) continue;
    terms.add(word);
  }
  return [...terms].slice(0, 16);
}

/**
 * Scores each file's relevance to the task in [0, 1]: a term in the file name counts most, in its directory
 * less, and an identifier from the task appearing in the content a little.
 */
export function taskRelevance(options: {
  task: string | undefined;
  /** Each file's path, and a reader of its content (read only when the task names identifiers). */
  files: readonly { path: string; text: () => string }[];
}): Map<string, number> {
  const scores = new Map<string, number>();
  if (!options.task) return scores;
  const terms = taskTerms(options.task);
  if (terms.length === 0) return scores;
  const lowerTerms = terms.map((term) => term.toLowerCase());
  // Identifiers look like code (camelCase, snake_case or dotted); plain words are only matched in paths.
  const identifiers = terms.filter((term) => /[a-z][A-Z]|_|\./.test(term));
  for (const { path, text } of options.files) {
    const lowerPath = path.toLowerCase();
    const name = lowerPath.slice(lowerPath.lastIndexOf('/') + 1);
    let score = 0;
    for (const term of lowerTerms) {
      if (name.includes(term)) score += 3;
      else if (lowerPath.includes(term)) score += 1;
    }
    if (identifiers.length > 0) {
      const content = text();
      for (const identifier of identifiers) if (content.includes(identifier)) score += 1;
    }
    if (score > 0) scores.set(path, score / (score + 3));
  }
  return scores;
}
