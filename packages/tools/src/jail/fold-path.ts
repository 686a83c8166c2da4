/**
 * Ranges of code points that some file systems leave out when they compare names (HFS+ ignores them), and the
 * direction marks and joiners that make two names look alike.
 */
const ignorableRanges: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

const isIgnorable = (character: string): boolean => {
  const code = character.codePointAt(0)!;
  return ignorableRanges.some(([low, high]) => code >= low && code <= high);
};

/**
 * One name as a case-insensitive file system compares it: Unicode-normalized (NFC), lower-cased, without
 * ignorable code points and without the trailing dots and spaces Windows drops. `.GIT`, `.Git.` and `.g\u200Cit`
 * all fold to `.git`.
 */
export function foldName(name: string): string {
  if (name === '.' || name === '..') return name;
  const folded = [...name.normalize('NFC')]
    .filter((character) => !isIgnorable(character))
    .join('')
    .toLowerCase();
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
