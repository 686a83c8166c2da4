import { runCli } from '../../../src/cli/run-cli.js';

/** What one `herd` invocation printed and its exit code. */
export interface HerdCliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `herd` command line in this process, as a person would type it, and captures what it prints.
 * `env` is applied for the duration of the call (a value of `undefined` removes the variable).
 */
export async function runHerdCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined> } = {},
): Promise<HerdCliOutcome> {
  const output = { stdout: '', stderr: '' };
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const previousEnv = Object.fromEntries(
    Object.keys(options.env ?? {}).map((name) => [name, process.env[name]]),
  );
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  process.stdout.write = ((chunk: string) => {
    output.stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    output.stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  setEnv(options.env ?? {});
  try {
    const code = await runCli(['node', 'herd', ...args]);
    return { code, ...output };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
    process.exitCode = undefined;
    setEnv(previousEnv);
  }
}
