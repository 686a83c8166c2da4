import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GuardError, UserError } from '@herd/core';
import { z } from 'zod';
import type { ToolsConfig } from '../config/tools-config.js';
import { ApprovalRequiredError } from '../errors/approval-required-error.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { bubblewrapArguments, type SandboxStatus } from './bubblewrap-sandbox.js';
import { buildChildEnvironment } from './child-environment.js';
import { type CommandPolicyContext, evaluateCommandPolicy } from './command-policy.js';
import type { CommandRunner } from './command-runner.js';
import { findPlantedGitDirectory } from './find-planted-git-directory.js';
import { hostPath } from './host-path.js';
import { isInsideGitWorkTree } from './is-inside-git-work-tree.js';
import { locateProgram } from './locate-program.js';
import { type CapturedOutput, createOutputCapture } from './output-capture.js';
import {
  type CommandPlacement,
  describePlacement,
  describeUnsandboxed,
  placeCommand,
} from './place-command.js';
import type { ProcessIsolation } from './process-isolation.js';
import { protectWorkspace } from './protect-workspace.js';
import { readOnlyGitEnvironment } from './read-only-git-environment.js';
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
  /** For a local command bubblewrap did not sandbox: whether it had a PID namespace of its own, and why not. */
  isolation?: Omit<ProcessIsolation, 'prefix'>;
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

const emptyOutput = { text: '', totalBytes: 0, omittedBytes: 0 };

/** The result for a program that could not be started at all. */
const notStarted = (error: string): ProcessTreeResult => ({
  exitCode: undefined,
  signal: undefined,
  timedOut: false,
  aborted: false,
  failedToStart: true,
  error,
  stdout: emptyOutput,
  stderr: emptyOutput,
  durationMs: 0,
});

/** One command, accepted by the policy, ready to run. */
interface PlacedRequest {
  command: string[];
  cwd: string;
  environment: Record<string, string>;
  timeoutMs: number;
  stdin: string | undefined;
  signal: AbortSignal;
}

/**
 * Runs a command where {@link placeCommand} put it: in the runner; in bubblewrap, with the workspace's control
 * files bound read-only (given back when it ends); in its own PID namespace; or, when none can be had, as a plain
 * process tree whose detached descendants are hunted by an environment marker.
 */
async function runPlaced(options: {
  placement: CommandPlacement;
  request: PlacedRequest;
  workspace: string;
  config: Pick<ToolsConfig, 'commands' | 'sandbox'>;
}): Promise<ProcessTreeResult> {
  const { placement, request, workspace, config } = options;
  const outputLimitBytes = config.commands.outputLimitBytes;
  if (placement.runner) {
    const { command, stdin: _stdin, ...rest } = request;
    return capRunnerResult(
      await placement.runner.run({ argv: command, outputLimitBytes, ...rest }),
      outputLimitBytes,
    );
  }
  const [program = ''] = request.command;
  if (!(await locateProgram({ program, searchPath: request.environment.PATH, cwd: request.cwd }))) {
    return notStarted(`no executable '${program}' on the command's PATH`);
  }
  const base = {
    cwd: request.cwd,
    environment: request.environment,
    timeoutMs: request.timeoutMs,
    outputLimitBytes,
    input: request.stdin,
    signal: request.signal,
  };
  if (placement.sandbox.kind === 'bubblewrap') {
    const protection = await protectWorkspace({ workspace });
    try {
      const sandboxArguments = bubblewrapArguments({
        workspace,
        cwd: request.cwd,
        network: config.sandbox.network,
        environment: request.environment,
        protectedMounts: protection.mounts,
      });
      return await runProcessTree({
        ...base,
        argv: [placement.sandbox.executable!, ...sandboxArguments, ...request.command],
        inheritDescriptors: protection.mounts.map((mount) => mount.descriptor),
      });
    } finally {
      protection.release();
    }
  }
  const prefix = placement.isolation?.kind === 'pid-namespace' ? (placement.isolation.prefix ?? []) : [];
  return runProcessTree({
    ...base,
    argv: [...prefix, ...request.command],
    killMarkedDescendants: prefix.length === 0,
  });
}

/**
 * What the policy needs to know about where a command runs: for a program named without a path, whether the file
 * PATH finds for it lies in the workspace; for git, whether it runs inside a work tree and in a repository planted
 * in the workspace.
 */
async function policyContext(options: {
  command: readonly string[];
  directory: string;
  workspace: string;
  searchPath: string | undefined;
}): Promise<CommandPolicyContext> {
  const { command, directory, workspace, searchPath } = options;
  const [program = ''] = command;
  const context: CommandPolicyContext = {};
  if (!program.includes('/')) {
    const file = await locateProgram({ program, searchPath, cwd: directory });
    if (file && hostPath.isInside(file, workspace))
      context.programInWorkspace = path.relative(workspace, file);
  }
  if (program !== 'git') return context;
  const planted = await findPlantedGitDirectory({ directory, workspace });
  return {
    ...context,
    insideGitRepository: await isInsideGitWorkTree(directory),
    ...(planted ? { plantedGitDirectory: path.relative(workspace, planted) || '.' } : {}),
  };
}

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
      // Where it would run is known before asking, so the question can say it runs unsandboxed.
      const placement = await placeCommand({
        config,
        commandRunner,
        hasStdin: stdin !== undefined,
        workspace: jail.root,
      });
      const childEnvironment = buildChildEnvironment({
        ...(environment ? { source: environment } : {}),
        extraAllowed: config.commands.envAllow,
      });
      const verdict = evaluateCommandPolicy({
        argv: command,
        rules: config.commands.rules,
        defaultDecision: config.commands.defaultDecision,
        context: await policyContext({
          command,
          directory: directory.absolute,
          workspace: jail.root,
          searchPath: childEnvironment.PATH,
        }),
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
        const unsandboxed = describeUnsandboxed(placement);
        throw new ApprovalRequiredError({
          kind: 'command',
          tool: 'run_command',
          argv: command,
          ...(directory.relative !== '.' ? { cwd: directory.relative } : {}),
          ...(stdin !== undefined ? { stdin } : {}),
          rule: verdict.rule,
          reason: verdict.reason,
          ...(unsandboxed ? { unsandboxed } : {}),
        });
      }
      const limit = Math.min(timeoutMs ?? config.commands.timeoutMs, config.commands.timeoutMs);
      const request = {
        command,
        cwd: directory.absolute,
        environment:
          verdict.decision === 'allow' && verdict.rule === 'read-only git'
            ? readOnlyGitEnvironment(childEnvironment)
            : childEnvironment,
        timeoutMs: limit,
        stdin,
        signal,
      };
      const result = await runPlaced({ placement, request, workspace: jail.root, config });
      if (result.failedToStart) {
        throw new UserError({
          code: 'command_not_started',
          message: `'${command[0]}' could not be started (${result.error}); check the program name and that it is installed.`,
        });
      }
      const { error: _error, ...rest } = result;
      const header = `${command.join(' ').slice(0, 300)}: ${describeEnd(result, limit)} in ${result.durationMs} ms (${describePlacement(placement, config.sandbox.network)})`;
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
          sandbox: {
            kind: placement.sandbox.kind,
            ...(placement.sandbox.reason ? { reason: placement.sandbox.reason } : {}),
          },
          ...(placement.isolation
            ? {
                isolation: {
                  kind: placement.isolation.kind,
                  ...(placement.isolation.reason ? { reason: placement.isolation.reason } : {}),
                },
              }
            : {}),
        },
      };
    },
  });
}
