import { stat } from 'node:fs/promises';
import { GuardError, UserError } from '@herd/core';
import { z } from 'zod';
import type { ToolsConfig } from '../config/tools-config.js';
import { ApprovalRequiredError } from '../errors/approval-required-error.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { bubblewrapArguments, probeBubblewrap, type SandboxStatus } from './bubblewrap-sandbox.js';
import { buildChildEnvironment } from './child-environment.js';
import { evaluateCommandPolicy } from './command-policy.js';
import type { CommandRunner } from './command-runner.js';
import { isInsideGitWorkTree } from './is-inside-git-work-tree.js';
import { type CapturedOutput, createOutputCapture } from './output-capture.js';
import type { ProcessTreeResult } from './run-process-tree.js';
import { runProcessTree } from './run-process-tree.js';

const RunCommandInputSchema = z.object({
  argv: z
    .array(z.string())
    .min(1)
    .describe(
      'Program and arguments as separate strings, e.g. ["npm", "test"]. No shell: pipes, ;, $() are plain text.',
    ),
  cwd: z.string().default('.').describe('Working directory relative to the workspace root. Default ".".'),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .optional()
    .describe('Time limit in milliseconds (capped by the configuration).'),
  stdin: z.string().optional().describe('Text written to standard input.'),
  shell: z
    .boolean()
    .default(false)
    .describe('Run argv[0] as a /bin/sh script. Refused unless the configuration allows it.'),
});

/** Structured output of `run_command`. */
export interface RunCommandData extends Omit<ProcessTreeResult, 'error'> {
  argv: string[];
  cwd: string;
  sandbox: SandboxStatus;
}

/** Options for {@link createRunCommandTool}. */
export interface RunCommandToolOptions {
  jail: WorkspaceJail;
  /** The `commands` and `sandbox` sections of the tools configuration. */
  config: Pick<ToolsConfig, 'commands' | 'sandbox'>;
  /** Environment the child's allow-listed variables are taken from. Default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /**
   * Where commands run instead of a local process (an editor's terminal), reported as unsandboxed. Commands with
   * `stdin`, and every command when `sandbox.mode` is `required`, still run locally.
   */
  commandRunner?: CommandRunner;
}

const describeEnd = (result: ProcessTreeResult, limit: number): string => {
  if (result.timedOut) return `killed after the ${limit} ms time limit`;
  if (result.aborted) return 'cancelled';
  if (result.signal) return `ended by signal ${result.signal}`;
  return `exit code ${result.exitCode}`;
};

/** Room for the marker line a capture puts where it cut the middle. */
const cutMarkerAllowanceBytes = 64;

/** Holds a runner's output to the same cap as a local process's, whatever the runner kept. */
const capOutput = (output: CapturedOutput, limitBytes: number): CapturedOutput => {
  if (Buffer.byteLength(output.text) <= limitBytes + cutMarkerAllowanceBytes) return output;
  const capture = createOutputCapture(limitBytes);
  capture.push(Buffer.from(output.text));
  const capped = capture.result();
  return {
    text: capped.text,
    totalBytes: Math.max(output.totalBytes, capped.totalBytes),
    omittedBytes: output.omittedBytes + capped.omittedBytes,
  };
};

const capRunnerResult = (result: ProcessTreeResult, limitBytes: number): ProcessTreeResult => ({
  ...result,
  stdout: capOutput(result.stdout, limitBytes),
  stderr: capOutput(result.stderr, limitBytes),
});

/**
 * Creates `run_command`: runs an argv (never a shell string) in the workspace after the command policy allows it,
 * inside bubblewrap when available (network off, filesystem read-only except the workspace and a private /tmp,
 * home directories hidden except toolchains), with an allow-listed environment, a time limit that kills the whole
 * process tree, and head-and-tail capped output. A policy `ask` becomes an {@link ApprovalRequiredError}; when
 * unsandboxed, the result says so. With a `commandRunner`, everything up to the run is the same and the runner
 * runs the command (unsandboxed).
 */
export function createRunCommandTool(options: RunCommandToolOptions) {
  const { jail, config, environment, commandRunner } = options;
  return defineTool<typeof RunCommandInputSchema, RunCommandData>({
    name: 'run_command',
    description:
      'Run a program in the workspace, e.g. ["npm", "test"] or ["git", "log", "-5"]. Arguments are passed as-is (no shell). Returns exit code, stdout and stderr (long output is cut in the middle).',
    input: RunCommandInputSchema,
    access: 'exec',
    timeoutMs: config.commands.timeoutMs + 15_000,
    examples: [{ argv: ['npm', 'test'] }],
    async run({ argv, cwd, timeoutMs, stdin, shell }, { signal, approved }) {
      if (argv[0]!.length === 0) {
        throw new UserError({
          code: 'command_invalid',
          message: 'argv[0] is empty; put the program name first, e.g. ["npm", "test"].',
        });
      }
      if (shell && !config.commands.allowShell) {
        throw new GuardError({
          code: 'shell_disabled',
          message:
            'Shell commands are turned off; pass the program and its arguments as separate argv strings without shell: true.',
          scanner: 'command_policy',
        });
      }
      const command = shell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
      const directory = await jail.resolve({ path: cwd, intent: 'read' });
      if (!directory.exists || !(await stat(directory.absolute)).isDirectory()) {
        throw new UserError({
          code: 'cwd_invalid',
          message: `The cwd '${cwd}' is not a directory in the workspace; use "." or an existing folder.`,
        });
      }
      const verdict = evaluateCommandPolicy({
        argv: command,
        rules: config.commands.rules,
        defaultDecision: config.commands.defaultDecision,
        context: {
          insideGitRepository: command[0] === 'git' && (await isInsideGitWorkTree(directory.absolute)),
        },
      });
      if (verdict.decision === 'deny') {
        throw new GuardError({
          code: 'command_denied',
          message: `The command policy refuses '${command.join(' ').slice(0, 200)}' because ${verdict.reason} (rule: ${verdict.rule}).`,
          hint: 'Use a different command to reach the goal, or ask the user to change the command policy.',
          scanner: 'command_policy',
          categories: [verdict.rule],
        });
      }
      if (verdict.decision === 'ask' && !approved) {
        throw new ApprovalRequiredError({
          kind: 'command',
          tool: 'run_command',
          argv: command,
          rule: verdict.rule,
          reason: verdict.reason,
        });
      }
      // The runner has no standard input, and cannot give the sandbox a `required` configuration asks for.
      const runner =
        commandRunner && stdin === undefined && config.sandbox.mode !== 'required'
          ? commandRunner
          : undefined;
      const sandbox: SandboxStatus = runner
        ? { kind: 'none', reason: `it ran in ${runner.description}, which Herd cannot sandbox` }
        : config.sandbox.mode === 'off'
          ? { kind: 'none', reason: 'the sandbox is turned off in the configuration' }
          : await probeBubblewrap();
      if (sandbox.kind === 'none' && config.sandbox.mode === 'required') {
        throw new GuardError({
          code: 'sandbox_unavailable',
          message: `The configuration requires a sandbox but ${sandbox.reason}; install bubblewrap or set tools.sandbox.mode to auto.`,
          scanner: 'sandbox',
        });
      }
      const limit = Math.min(timeoutMs ?? config.commands.timeoutMs, config.commands.timeoutMs);
      const childEnvironment = buildChildEnvironment({
        ...(environment ? { source: environment } : {}),
        extraAllowed: config.commands.envAllow,
      });
      const wrapped =
        sandbox.kind === 'bubblewrap'
          ? [
              sandbox.executable!,
              ...bubblewrapArguments({
                workspace: jail.root,
                cwd: directory.absolute,
                network: config.sandbox.network,
                environment: childEnvironment,
              }),
              ...command,
            ]
          : command;
      const result = runner
        ? capRunnerResult(
            await runner.run({
              argv: command,
              cwd: directory.absolute,
              environment: childEnvironment,
              timeoutMs: limit,
              outputLimitBytes: config.commands.outputLimitBytes,
              signal,
            }),
            config.commands.outputLimitBytes,
          )
        : await runProcessTree({
            argv: wrapped,
            cwd: directory.absolute,
            environment: childEnvironment,
            timeoutMs: limit,
            outputLimitBytes: config.commands.outputLimitBytes,
            input: stdin,
            signal,
          });
      if (result.failedToStart) {
        throw new UserError({
          code: 'command_not_started',
          message: `'${command[0]}' could not be started (${result.error}); check the program name and that it is installed.`,
        });
      }
      const { error: _error, ...rest } = result;
      const header = `${command.join(' ').slice(0, 300)}: ${describeEnd(result, limit)} in ${result.durationMs} ms (${sandbox.kind === 'bubblewrap' ? `sandboxed, network ${config.sandbox.network ? 'on' : 'off'}` : `unsandboxed: ${sandbox.reason}`})`;
      const sections = [header];
      if (result.stdout.totalBytes > 0)
        sections.push(
          `--- stdout${result.stdout.omittedBytes ? ` (${result.stdout.totalBytes} bytes, middle cut)` : ''} ---\n${result.stdout.text}`,
        );
      if (result.stderr.totalBytes > 0)
        sections.push(
          `--- stderr${result.stderr.omittedBytes ? ` (${result.stderr.totalBytes} bytes, middle cut)` : ''} ---\n${result.stderr.text}`,
        );
      return {
        content: sections.join('\n'),
        data: {
          ...rest,
          argv: command,
          cwd: directory.relative,
          sandbox: { kind: sandbox.kind, ...(sandbox.reason ? { reason: sandbox.reason } : {}) },
        },
      };
    },
  });
}
