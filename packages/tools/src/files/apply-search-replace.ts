import { UserError } from '@herd/core';
import { findClosestCandidates } from './find-closest-candidates.js';

/** One exact search/replace block. */
export interface SearchReplaceEdit {
  /** Text that must occur exactly once in the file (unless `replaceAll`). */
  search: string;
  /** The text that replaces it. */
  replace: string;
  /** Replace every occurrence instead of requiring exactly one. */
  replaceAll?: boolean | undefined;
}

const occurrences = (text: string, search: string): number[] => {
  const found: number[] = [];
  let index = text.indexOf(search);
  while (index !== -1) {
    found.push(index);
    index = text.indexOf(search, index + search.length);
  }
  return found;
};

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

const quote = (text: string): string => {
  const shown = text.length > 600 ? `${text.slice(0, 600)}…` : text;
  return shown
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
};

/**
 * Applies search/replace edits in order to LF-normalized text. All or nothing: the first edit whose search
 * occurs zero times or more than once throws, showing the closest candidates or every match's line.
 *
 * @throws UserError `edit_no_match` or `edit_ambiguous` with the candidates in the message.
 */
export function applySearchReplace(options: {
  text: string;
  edits: readonly SearchReplaceEdit[];
  path: string;
}): string {
  let text = options.text;
  options.edits.forEach((edit, position) => {
    const label = options.edits.length > 1 ? `edit ${position + 1} of ${options.edits.length}` : 'the edit';
    const search = edit.search.replaceAll('\r\n', '\n');
    const replace = edit.replace.replaceAll('\r\n', '\n');
    if (search.length === 0) {
      throw new UserError({
        code: 'edit_empty_search',
        message: `The search text of ${label} for '${options.path}' is empty; copy the exact lines to change from read_file.`,
      });
    }
    const found = occurrences(text, search);
    if (found.length === 0) {
      const candidates = findClosestCandidates({ text, search });
      const shown = candidates.length
        ? ` Closest text in the file:\n${candidates.map((candidate) => `  at line ${candidate.line} (${Math.round(candidate.similarity * 100)}% similar):\n${quote(candidate.text)}`).join('\n')}`
        : ' Nothing in the file resembles it.';
      throw new UserError({
        code: 'edit_no_match',
        message: `The search text of ${label} does not occur in '${options.path}'; it must match exactly, including whitespace.${shown}`,
        hint: 'Copy the exact current lines from read_file into search.',
      });
    }
    if (found.length > 1 && !edit.replaceAll) {
      throw new UserError({
        code: 'edit_ambiguous',
        message: `The search text of ${label} occurs ${found.length} times in '${options.path}' (lines ${found.map((index) => lineAt(text, index)).join(', ')}); include more surrounding lines so it matches once, or set replaceAll.`,
      });
    }
    text = edit.replaceAll
      ? text.split(search).join(replace)
      : text.slice(0, found[0]) + replace + text.slice(found[0]! + search.length);
  });
  return text;
}
