import { matchesOptionPattern, type OptionPattern } from './option-pattern.js';
import type { VettingResult } from './vet-read-only-git.js';

/**
 * Utilities none of whose options reads a file's contents or writes anything: they print names, text they are
 * given, or the time. Any arguments are fine.
 */
const anyArguments = new Set([
  'ls',
  'echo',
  'printf',
  'pwd',
  'true',
  'false',
  'which',
  'basename',
  'dirname',
  'realpath',
  'sleep',
]);

/**
 * The options of `date` that only change how the time is printed. Left out: `-f`/`--file` (prints every line of a
 * file in its error messages), `-r`/`--reference` (reads a file's time), `-s`/`--set` (sets the clock), and every
 * abbreviation (`--fil` is `--file`).
 */
const dateFlags: readonly OptionPattern[] = [
  '-u',
  '--utc',
  '--universal',
  '-R',
  '--rfc-email',
  '-I',
  /^-I(date|hours|minutes|seconds|ns)$/,
  '--iso-8601',
  '--iso-8601=',
  '--rfc-3339=',
  /^-d.+$/s,
  '--date=',
];

/** `date` options followed by their value as the next argument. */
const dateOptionsWithValue = new Set(['-d', '--date']);

function vetDate(args: readonly string[]): VettingResult {
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index]!;
    if (dateOptionsWithValue.has(argument)) {
      index += 1;
      continue;
    }
    if (argument.startsWith('+')) continue;
    if (!argument.startsWith('-') || argument === '--') {
      // A bare argument sets the clock (`date 010100002030`).
      return { allowed: false, why: `\`date ${argument.slice(0, 40)}\` sets the system clock` };
    }
    if (!matchesOptionPattern(argument, dateFlags)) {
      return {
        allowed: false,
        why: `\`${argument.slice(0, 40)}\` is not one of the options vetted for \`date\` (some read files or set the clock)`,
      };
    }
  }
  return { allowed: true, what: 'date' };
}

/**
 * Decides whether a program is one of the harmless utilities and its arguments keep it harmless: `ls`, `echo`,
 * `pwd`, `which`, `realpath`, `sleep` and the like with any arguments, `date` with its printing options only.
 * Undefined when the program is not one of them.
 */
export function vetHarmlessUtility(program: string, args: readonly string[]): VettingResult | undefined {
  if (anyArguments.has(program)) return { allowed: true, what: program };
  if (program === 'date') return vetDate(args);
  return undefined;
}
