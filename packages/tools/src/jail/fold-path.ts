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
 * The 8.3 short names Windows gives the names Herd protects (`.git` is also `GIT~1`): git refuses `git~1` for the
 * same reason. A short name of any other file cannot be told from its name.
 */
const shortNames: ReadonlyArray<readonly [RegExp, string]> = [
  [/^git~\d+$/u, '.git'],
  [/^herd~\d+$/u, '.herd'],
  [/^herdco~\d+\.jso$/u, 'herd.config.json'],
];

/**
 * One name as a case-insensitive file system compares it: Unicode-normalized (NFC), without ignorable code points,
 * case-folded (upper-cased, then lower-cased: `ı`, `ſ` and the Kelvin sign `K` become `i`, `s` and `k`, as NTFS's
 * and APFS's tables make them), without the trailing dots and spaces Windows drops, without an NTFS stream suffix
 * (`.git::$INDEX_ALLOCATION` opens `.git`, `.npmrc::$DATA` opens `.npmrc`), and with the short names of `.git`,
 * `.herd` and `herd.config.json` expanded. `.GIT`, `.Git.`, `.g\u200Cit`, `.gıt` and `GIT~1` all fold to `.git`.
 * Folding is for refusing only: a name that folds to a protected one on Linux (`.git:x`) is refused as well.
 */
export function foldName(name: string): string {
  if (name === '.' || name === '..') return name;
  const visible = [...name.normalize('NFC')].filter((character) => !isIgnorable(character)).join('');
  const folded = visible.toUpperCase().toLowerCase().normalize('NFC');
  // Everything from the first colon on names a stream of the file before it (NTFS).
  const colon = folded.indexOf(':');
  const named = colon > 0 ? folded.slice(0, colon) : folded;
  const trimmed = named.replace(/[. ]+$/u, '');
  // A name made only of dots and spaces keeps its form: `...` is a real name, not `.` or `..`.
  if (trimmed === '') return named;
  return shortNames.find(([pattern]) => pattern.test(trimmed))?.[1] ?? trimmed;
}

/**
 * A workspace-relative path (with `/`) with every name folded by {@link foldName}, so rules about `.git`,
 * `.herd`, `herd.config.json` and deny globs hold on case-insensitive file systems (macOS, Windows) too.
 */
export function foldPath(relative: string): string {
  return relative.split('/').map(foldName).join('/');
}
