import type { ProcessTreeResult } from './run-process-tree.js';

/** One command for a {@link CommandRunner}, after the command policy and the jail have accepted it. */
export interface CommandRunRequest {
  /** Program and arguments; never interpreted by a shell. */
  argv: readonly string[];
  /** Absolute working directory inside the workspace. */
  cwd: string;
  /** The allow-listed environment variables for the command. */
  environment: Record<string, string>;
  /** Time limit; the runner kills the command when it is reached and reports `timedOut`. */
  timeoutMs: number;
  /** Bytes of output kept (head and tail); the rest is cut from the middle. */
  outputLimitBytes: number;
  /** Cancels the command; the runner kills it and reports `aborted`. */
  signal: AbortSignal;
}

/**
 * Where `run_command` runs commands instead of a local child process: an editor's terminal, for example.
 * Without one, commands run as local process trees, inside bubblewrap when available.
 *
 * What Herd still guarantees with a runner given: the command policy (deny, ask), the jail for `cwd`, the
 * environment allow list it passes, the time limit and the output cap on what comes back. What it cannot: the
 * bubblewrap sandbox (results say `unsandboxed` with {@link CommandRunner.description}), that the runner adds
 * no variables of its own to the environment, and a separate stderr. Commands with `stdin`, and every command
 * when `tools.sandbox.mode` is `required`, still run locally.
 */
export interface CommandRunner {
  /** Where commands run, said in results, e.g. `the editor's terminal`. */
  readonly description: string;
  /** Runs one command to its end (or its time limit or cancellation) and returns its capped output. */
  run(request: CommandRunRequest): Promise<ProcessTreeResult>;
}
