import path from 'node:path';
import type { CommandPolicyContext } from './command-policy.js';
import { matchesOptionPattern } from './option-pattern.js';
import {
  gitBranchListOptions,
  readOnlyGitGlobalOptions,
  readOnlyGitOptions,
} from './read-only-git-options.js';

/** The verdict of a vetting: allowed without asking (and what was recognised), or why not. */
export type VettingResult = { allowed: true; what: string } | { allowed: false; why: string };

/** Whether an argument names a path outside the working tree, as git's `path_inside_repo` would decide. */
const leavesWorkTree = (argument: string): boolean =>
  path.isAbsolute(argument) || argument.split('/').includes('..');

/**
 * The arguments from which `git diff` decides whether it compares two files on disk (`--no-index` implied): git
 * skips leading arguments that start with `-` (and stops after `--`) without taking option values into account,
 * and if exactly two arguments remain and one of them lies outside the work tree, it diffs the files themselves.
 */
function gitDiffTail(args: readonly string[]): readonly string[] {
  let index = 0;
  for (; index < args.length; index += 1) {
    if (args[index] === '--') return args.slice(index + 1);
    if (!args[index]!.startsWith('-')) break;
  }
  return args.slice(index);
}

function vetPositionals(options: {
  subcommand: string;
  rest: readonly string[];
  positionals: readonly string[];
  context: CommandPolicyContext;
}): string | undefined {
  const { subcommand, rest, positionals, context } = options;
  if (context.plantedGitDirectory !== undefined)
    return `git would use the repository at '${context.plantedGitDirectory.slice(0, 200)}', which lies in the workspace where its configuration can be written (its core.fsmonitor, filters and diff drivers run programs)`;
  if (subcommand === 'diff') {
    if (context.insideGitRepository !== true)
      return 'outside a git work tree `git diff` compares any two files on disk, as `--no-index` does';
    const tail = gitDiffTail(rest);
    if (tail.length === 2 && tail.some(leavesWorkTree))
      return 'with a path outside the work tree `git diff` compares the files on disk, as `--no-index` does';
  }
  if (
    subcommand === 'branch' &&
    positionals.length > 0 &&
    !rest.some((argument) => matchesOptionPattern(argument, gitBranchListOptions))
  )
    return '`git branch` with a name (and no --list) creates a branch';
  return undefined;
}

/**
 * Decides whether a git invocation only reads the repository and prints: its subcommand must be one of
 * {@link readOnlyGitOptions} and every option one listed for it (exact spellings only), with no global option but
 * `--no-pager`; positional arguments (revisions, paths) must not turn `git diff` into a comparison of files on disk
 * or `git branch` into a branch change, and git must not be about to use a repository planted in the workspace (whose
 * configuration would run programs). Anything else is not allowed, with the reason.
 */
export function vetReadOnlyGit(args: readonly string[], context: CommandPolicyContext = {}): VettingResult {
  let index = 0;
  while (index < args.length && args[index]!.startsWith('-')) {
    if (!matchesOptionPattern(args[index]!, readOnlyGitGlobalOptions)) {
      return {
        allowed: false,
        why: `the git option ${args[index]} before the subcommand can change which repository, configuration or programs git uses`,
      };
    }
    index += 1;
  }
  const subcommand = args[index];
  if (subcommand === undefined) return { allowed: false, why: 'it names no git subcommand' };
  const vetted = Object.hasOwn(readOnlyGitOptions, subcommand) ? readOnlyGitOptions[subcommand] : undefined;
  if (!vetted) {
    return {
      allowed: false,
      why: `\`git ${subcommand}\` is not one of the read-only git commands (an alias can run any program)`,
    };
  }
  const rest = args.slice(index + 1);
  const positionals: string[] = [];
  let pathsOnly = false;
  for (const argument of rest) {
    if (pathsOnly || !argument.startsWith('-')) positionals.push(argument);
    else if (argument === '--') pathsOnly = true;
    else if (!matchesOptionPattern(argument, vetted)) {
      return {
        allowed: false,
        why: `\`${argument.slice(0, 60)}\` is not one of the options vetted for \`git ${subcommand}\` (some write or read files, or run programs)`,
      };
    }
  }
  const why = vetPositionals({ subcommand, rest, positionals, context });
  return why ? { allowed: false, why } : { allowed: true, what: `git ${subcommand}` };
}
