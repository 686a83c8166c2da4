import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultCiTaskVariable, resolveCiTask } from '../../ci/resolve-ci-task.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import { createEventRenderer } from '../runs/render-event.js';
import { terminalColors } from '../runs/terminal-colors.js';

interface CiCommandOptions {
  task?: string;
  taskFile?: string;
  taskEnv?: string;
  workspace?: string;
  outputDir?: string;
  patch?: string;
  summary?: string;
  report?: string;
  commit?: boolean;
  branch?: string;
  json?: boolean;
  /** `false` with `--no-color`. */
  color?: boolean;
  requireGuard?: boolean;
  trustWorkspaceConfig?: boolean;
}

/**
 * Registers `herd ci`: a headless run for pipelines that writes a patch, a pull-request summary and a JSON report,
 * optionally commits on a new branch, and exits 0 succeeded, 1 verification failed, 2 blocked by guard or
 * policy, 3 configuration or provider error, 4 limits exceeded.
 */
export function registerCiCommand(program: Command): void {
  program
    .command('ci')
    .description(
      'Run headless for CI: plan, act and verify with nothing asked (what would ask is blocked); write a patch, a PR summary and a JSON report',
    )
    .option('-t, --task <text>', 'what to do, in plain words')
    .option('-f, --task-file <file>', 'read the task from a file (an issue body)')
    .option(
      '--task-env <name>',
      `read the task from this environment variable when neither --task nor --task-file is given`,
      defaultCiTaskVariable,
    )
    .option(
      '-w, --workspace <dir>',
      'repository to work on (default: the current directory)',
      parseWorkspaceArgument,
    )
    .option('-o, --output-dir <dir>', 'where the outputs go (default: <workspace>/.herd/ci)')
    .option('--patch <file>', 'the unified diff (default: <output-dir>/patch.diff)')
    .option('--summary <file>', 'the Markdown summary for a PR body (default: <output-dir>/summary.md)')
    .option('--report <file>', 'the JSON report (default: <output-dir>/report.json)')
    .option('--commit', 'commit a verified change on a new branch; the current branch is left alone')
    .option('--branch <name>', 'the branch for --commit (default: herd/ci-<random>)')
    .option('--json', 'write the event stream as NDJSON on stdout')
    .option('--no-color', 'plain text even on a terminal (so does NO_COLOR=1)')
    .option(
      '--require-guard',
      'exit 3 unless Prompt Guard 2 and Llama Guard 4 both check the run (no classifier may be skipped)',
    )
    .option(
      '--trust-workspace-config',
      "use the workspace's herd.config.json even where it weakens Herd (sandbox, command policy, guard, where keys go); only for a checkout whose configuration you reviewed, never a pull request's",
    )
    .action(async (options: CiCommandOptions) => {
      const cwd = process.cwd();
      const task = resolveCiTask({
        task: options.task,
        taskFile: options.taskFile,
        taskVariable: options.taskEnv,
        cwd,
      });
      const abort = new AbortController();
      const onInterrupt = () => abort.abort();
      // A pipeline that is cancelled sends SIGINT or SIGTERM; both stop the run and still write the outputs.
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      try {
        // Paths on the command line are relative to where the command runs, like any file argument.
        const fromCwd = (file: string) => resolve(cwd, file);
        // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
        const [{ runCi }, { writeGithubOutputs }] = await Promise.all([
          import('../../ci/run-ci.js'),
          import('../../ci/write-github-outputs.js'),
        ]);
        const renderer = createEventRenderer({
          colors: terminalColors({
            stream: process.stdout,
            ...(options.color === false ? { color: false } : {}),
          }),
        });
        const outcome = await runCi({
          task,
          ...(options.workspace ? { workspace: options.workspace } : {}),
          ...(options.outputDir ? { outputDirectory: fromCwd(options.outputDir) } : {}),
          ...(options.patch ? { patchFile: fromCwd(options.patch) } : {}),
          ...(options.summary ? { summaryFile: fromCwd(options.summary) } : {}),
          ...(options.report ? { reportFile: fromCwd(options.report) } : {}),
          ...(options.commit ? { commit: true } : {}),
          ...(options.branch ? { branch: options.branch } : {}),
          // A pipeline has nobody to ask: a configuration that changed since a person ran Herd here, or that weakens
          // Herd, is refused unless the person who wrote the pipeline accepted the workspace's configuration.
          configTrust: options.trustWorkspaceConfig ? { vouchedBy: '--trust-workspace-config' } : 'refuse',
          ...(options.requireGuard ? { requireGuard: true } : {}),
          signal: abort.signal,
          onEvent: (event) => {
            if (options.json) {
              process.stdout.write(`${JSON.stringify(event)}\n`);
              return;
            }
            const text = renderer.render(event);
            if (text !== undefined)
              (event.type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
          },
        });
        const held = options.json ? undefined : renderer.finish();
        if (held !== undefined) process.stdout.write(`${held}\n`);
        const { report } = outcome;
        const why = outcome.exitCode !== 0 && report.reason ? `: ${report.reason}` : '';
        const committed = report.commit
          ? `; committed ${report.commit.sha.slice(0, 12)} on ${report.commit.branch}`
          : '';
        process.stderr.write(
          `herd ci: ${report.status} (exit code ${outcome.exitCode})${why}\n  patch ${report.outputs.patch}, summary ${report.outputs.summary}, report ${report.outputs.report}${committed}\n`,
        );
        process.exitCode = outcome.exitCode;
        try {
          writeGithubOutputs({ report, summary: outcome.summary });
        } catch (error) {
          // The run's own exit code stands: a workflow file that cannot be written is only reported.
          process.stderr.write(
            `herd ci: warning: the GitHub Actions outputs could not be written (${(error as Error).message}); check GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.\n`,
          );
        }
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        process.removeListener('SIGTERM', onInterrupt);
      }
    });
}
