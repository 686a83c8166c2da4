import picocolors from 'picocolors';

/** The styles the CLI writes with; every one is the identity when colour is off. */
export type TerminalColors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether to write colour to a stream: never with `--no-color` (`color: false`) or `NO_COLOR` set to anything
 * (no-color.org), always with `FORCE_COLOR` (other than `0`), else only on a terminal that is not `dumb`. `CI` alone
 * does not turn colour on: a pipeline log gets plain text unless it asks with `FORCE_COLOR`.
 */
export function colorEnabled(input: {
  stream: { isTTY?: boolean };
  color?: boolean;
  env?: NodeJS.ProcessEnv;
}): boolean {
  const env = input.env ?? process.env;
  if (input.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return input.stream.isTTY === true && env.TERM !== 'dumb';
}

/** The colours for a stream, decided by {@link colorEnabled}; plain text when it says no. */
export function terminalColors(input: {
  stream: { isTTY?: boolean };
  color?: boolean;
  env?: NodeJS.ProcessEnv;
}): TerminalColors {
  return picocolors.createColors(colorEnabled(input));
}

/** Styles that change nothing, for output that is never coloured (NDJSON, files, tests). */
export const plainColors: TerminalColors = picocolors.createColors(false);
