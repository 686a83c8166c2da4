/**
 * Code points that some file systems leave out when they compare names (HFS+ ignores them), and the direction
 * marks and joiners that make two names look alike.
 */
const ignorableCharacters =
  /[\u00ad\u034f\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]/gu;

/**
 * One name as a case-insensitive file system compares it: Unicode-normalized (NFC), lower-cased, without
 * ignorable code points and without the trailing dots and spaces Windows drops. `.GIT`, `.Git.` and `.g\u200Cit`
 * all fold to `.git`.
 */
export function foldName(name: string): string {
  if (name === '.' || name === '..') return name;
  const folded = name.normalize('NFC').replace(ignorableCharacters, '').toLowerCase();
  const trimmed = folded.replace(/[. ]+$/u, '');
  // A name made only of dots and spaces keeps its form: `...` is a real name, not `.` or `..`.
  return trimmed === '' ? folded : trimmed;
}

/**
 * A workspace-relative path (with `/`) with every name folded by {@link foldName}, so rules about `.git`,
 * `.herd`, `herd.config.json` and deny globs hold on case-insensitive file systems (macOS, Windows) too.
 */
export function foldPath(relative: string): string {
  return relative.split('/').map(foldName).join('/');
}
