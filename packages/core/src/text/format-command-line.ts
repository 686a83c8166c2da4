import { escapeInvisible, hasInvisible } from './visible-text.js';

/** An argument shown as it is: nothing a shell or a reader could take apart or misread. */
const plainArgument = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Characters escaped inside `$'...'`. */
const escapedInQuotes = /[\\']/g;

/** One argument as a person should see it: as is, in single quotes, or ANSI-C quoted when it holds invisible text. */
function quoteArgument(argument: string): string {
  if (plainArgument.test(argument)) return argument;
  if (!hasInvisible(argument)) return `'${argument.replaceAll("'", "'\\''")}'`;
  const escaped = [...argument]
    .map((character) =>
      hasInvisible(character) ? escapeInvisible(character) : character.replace(escapedInQuotes, '\\$&'),
    )
    .join('');
  return `$'${escaped}'`;
}

/**
 * An argv written the way a person approving it must see it: each argument quoted as a POSIX shell would need it
 * (`'a b'` is one argument, `a b` two), control and invisible characters as escapes (`$'ls\x1b[2K'`), so nothing
 * in it can rewrite, hide or reorder the question on a terminal or in an editor. Past `maxLength` characters the
 * rest is cut with a marker saying how much was not shown, never silently.
 */
export function formatCommandLine(argv: readonly string[], maxLength = 1000): string {
  const full = argv.map(quoteArgument).join(' ');
  if (full.length <= maxLength) return full;
  return `${full.slice(0, maxLength)} … (${(full.length - maxLength).toLocaleString('en-US')} more characters not shown)`;
}
