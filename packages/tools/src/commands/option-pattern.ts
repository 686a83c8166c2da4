/**
 * One vetted command-line option: a string is that exact argument (`--stat`), a string ending in `=` is that option
 * with a value attached (`--format=` admits `--format=%h %s`), a regular expression is tested against the whole
 * argument (`/^-U\d+$/` admits `-U5`).
 *
 * Abbreviations are deliberately not admitted: git and GNU getopt accept any unambiguous prefix of a long option, so
 * `--out=x` is `--output=x`; only the spellings listed here pass.
 */
export type OptionPattern = string | RegExp;

/** Whether `argument` is one of the vetted `patterns` (see {@link OptionPattern}). */
export function matchesOptionPattern(argument: string, patterns: readonly OptionPattern[]): boolean {
  return patterns.some((pattern) =>
    typeof pattern === 'string'
      ? pattern.endsWith('=')
        ? argument.startsWith(pattern)
        : argument === pattern
      : pattern.test(argument),
  );
}
