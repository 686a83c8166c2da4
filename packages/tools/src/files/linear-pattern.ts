import path from 'node:path';
import { UserError } from '@herd/core';
import picomatch from 'picomatch';
import { RE2JS } from 're2js';

/** Tests one line (or one path); made by {@link compileSearchPattern} and {@link compileGlob}. */
export type LineTest = (text: string) => boolean;

const reasonOf = (error: unknown): string =>
  (error as Error).message.replace(/^error parsing regexp: /, '').slice(0, 200);

/**
 * A pattern in RE2's syntax, which ripgrep reads too: RE2 syntax (`(?i)`, `[[:alpha:]]`, `\pL`, `\z`) is kept, and
 * what only JavaScript writes (`\u{…}`, `\uXXXX`, `(?<name>…)`, `\cX`) is translated, so both search engines
 * match the same pattern the same way.
 */
export function toRe2Syntax(pattern: string): string {
  return RE2JS.translateRegExp(pattern);
}

/**
 * Compiles a model-supplied search pattern for RE2 (through re2js): matching takes time linear in the line, so no
 * pattern (`(a+)+$` and the like) can hold the event loop. JavaScript syntax is translated (`\u{…}`, named
 * groups); what RE2 cannot match in linear time (lookaround, backreferences) is refused, as ripgrep refuses it.
 *
 * @throws UserError `invalid_pattern` naming what RE2 rejected.
 */
export function compileSearchPattern(query: {
  pattern: string;
  literal: boolean;
  caseSensitive: boolean;
}): LineTest {
  const { pattern, literal, caseSensitive } = query;
  let expression: RE2JS;
  try {
    expression = RE2JS.compile(
      literal ? RE2JS.quote(pattern) : toRe2Syntax(pattern),
      caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE,
    );
  } catch (error) {
    throw new UserError({
      code: 'invalid_pattern',
      message: `The pattern '${pattern}' cannot be searched (${reasonOf(error)}): search matches in linear time (RE2 syntax, as ripgrep), so lookaround and backreferences are not available; rewrite the pattern or pass literal: true.`,
    });
  }
  return (line) => expression.test(line);
}

// picomatch's regular expressions keep `.` and `..` segments and empty names from matching with lookaheads, which
// RE2 has not. Paths from the workspace walk never hold such segments, so the lookaheads can go.
const droppedLookaheads = ['(?!(?:^|\\/)\\.{1,2}(?:\\/|$))', '(?!\\.{1,2}(?:\\/|$))', '(?=.)'];

/**
 * Compiles a model-supplied glob (picomatch syntax, dot files included) into a test that runs in linear time:
 * picomatch's own regular expression backtracks, and `*a*a*a*a*a*a*b` against one long name takes seconds.
 * With `basename`, a glob without `/` is tested against the last name of the path.
 *
 * @throws UserError `invalid_glob` for a glob that needs lookaround (negated extglobs such as `!(x)`).
 */
export function compileGlob(glob: string, options: { basename?: boolean } = {}): LineTest {
  let source: string;
  try {
    source = picomatch.makeRe(glob, { dot: true }).source;
  } catch (error) {
    throw new UserError({
      code: 'invalid_glob',
      message: `The glob '${glob}' cannot be read (${reasonOf(error)}); give a glob such as "src/**/*.ts".`,
    });
  }
  for (const lookahead of droppedLookaheads) source = source.replaceAll(lookahead, '');
  let expression: RE2JS;
  try {
    expression = RE2JS.compile(source);
  } catch (error) {
    throw new UserError({
      code: 'invalid_glob',
      message: `The glob '${glob}' needs a negation or lookaround that cannot be matched in linear time (${reasonOf(error)}); list the names wanted instead, e.g. "*.{ts,js}".`,
    });
  }
  const onName = options.basename === true && !glob.includes('/');
  return (relative) => expression.test(onName ? path.posix.basename(relative) : relative);
}
