import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HerdError, SystemError, UserError } from '@herd/core';
import { runHostGit } from '@herd/tools/git';
import type { CiCommit } from './ci-report.js';

/** Who commits when the repository has no git identity configured (a fresh CI checkout). */
export const ciCommitIdentity = { name: 'Herd CI', email: 'herd-ci@localhost' } as const;

interface GitOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** What of the pipeline's environment git gets: where its settings are, and who commits. */
const passedToGit = [
  'PATH',
  'HOME',
  'XDG_CONFIG_HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_INDEX_FILE',
];

/**
 * Runs git with an argument vector (never a shell string), optionally feeding stdin, through runHostGit: the
 * commit is made with plumbing, so no hook runs (none of the user's, and none a run could have planted), no
 * filter, no signing program; the user's global settings (identity, `safe.directory`) still apply.
 */
async function git(options: {
  args: string[];
  cwd: string;
  /** The workspace the run could write, when git runs at the repository's top above it. */
  workspace?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}): Promise<GitOutcome> {
  const env = options.env ?? process.env;
  const result = await runHostGit({
    args: options.args,
    cwd: options.cwd,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    environment: Object.fromEntries(passedToGit.map((name) => [name, env[name]])),
    ...(options.input === undefined ? {} : { input: options.input }),
  }).catch((error: unknown) => {
    if (HerdError.find(error)?.code !== 'git_unavailable') throw error;
    throw new SystemError({
      code: 'git_unavailable',
      message: `Cannot run git (${error instanceof Error ? error.message : String(error)}); install git to use --commit.`,
      cause: error,
    });
  });
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
}

async function gitOrThrow(options: Parameters<typeof git>[0] & { what: string }): Promise<string> {
  const outcome = await git(options);
  if (outcome.code !== 0) {
    throw new SystemError({
      code: 'ci_commit_failed',
      message: `git ${options.args[0]} failed while ${options.what}: ${outcome.stderr.trim() || `exit code ${outcome.code}`}.`,
    });
  }
  return outcome.stdout;
}

/** Options for {@link checkCiBranch}. */
export interface CheckCiBranchOptions {
  workspace: string;
  branch: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Checks, before any model is called, that `--commit` can work: the workspace is in a git repository with a commit,
 * and the branch name is valid and not taken.
 *
 * @throws UserError naming the problem and the fix.
 */
export async function checkCiBranch(options: CheckCiBranchOptions): Promise<void> {
  const { workspace, branch, env } = options;
  const head = await git({
    args: ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'],
    cwd: workspace,
    env,
  });
  if (head.code !== 0) {
    throw new UserError({
      code: 'ci_commit_unavailable',
      message: `The workspace ${workspace} is not a git repository with a commit, so --commit has nothing to branch from; commit first or drop --commit.`,
    });
  }
  const valid = await git({ args: ['check-ref-format', '--branch', branch], cwd: workspace, env });
  if (valid.code !== 0) {
    throw new UserError({
      code: 'ci_branch_invalid',
      message: `'${branch}' is not a valid git branch name; pass another with --branch.`,
    });
  }
  const taken = await git({
    args: ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`],
    cwd: workspace,
    env,
  });
  if (taken.code === 0) {
    throw new UserError({
      code: 'ci_branch_exists',
      message: `The branch '${branch}' already exists; pass another name with --branch or delete it.`,
    });
  }
}

/** Options for {@link commitCiChanges}. */
export interface CommitCiChangesOptions {
  workspace: string;
  branch: string;
  /** The run's unified diff, relative to the workspace. */
  patch: string;
  message: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Commits a patch on a new branch that starts at HEAD, without checking it out: the patch is applied to a
 * temporary index, so the current branch, the index and the working tree stay exactly as they are.
 *
 * @throws SystemError when git refuses (for example, the run started from uncommitted changes the patch builds on).
 */
export async function commitCiChanges(options: CommitCiChangesOptions): Promise<CiCommit> {
  const { workspace, branch } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'herd-ci-index-'));
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    const top = (
      await gitOrThrow({
        args: ['rev-parse', '--show-toplevel'],
        cwd: workspace,
        env,
        what: 'finding the repository',
      })
    ).trim();
    const prefix = (
      await gitOrThrow({
        args: ['rev-parse', '--show-prefix'],
        cwd: workspace,
        env,
        what: 'finding the repository',
      })
    ).trim();
    await gitOrThrow({ args: ['read-tree', 'HEAD'], cwd: top, workspace, env, what: 'reading HEAD' });
    await gitOrThrow({
      args: ['apply', '--cached', '--whitespace=nowarn', ...(prefix ? [`--directory=${prefix}`] : []), '-'],
      cwd: top,
      workspace,
      env,
      input: options.patch,
      what: 'applying the patch to HEAD (did the run start from uncommitted changes?)',
    });
    const tree = (
      await gitOrThrow({ args: ['write-tree'], cwd: top, workspace, env, what: 'writing the tree' })
    ).trim();
    const identity = await git({ args: ['config', '--get', 'user.email'], cwd: top, workspace, env });
    if (identity.code !== 0) {
      env.GIT_AUTHOR_NAME ??= ciCommitIdentity.name;
      env.GIT_AUTHOR_EMAIL ??= ciCommitIdentity.email;
      env.GIT_COMMITTER_NAME ??= ciCommitIdentity.name;
      env.GIT_COMMITTER_EMAIL ??= ciCommitIdentity.email;
    }
    const sha = (
      await gitOrThrow({
        args: ['commit-tree', tree, '-p', 'HEAD', '-F', '-'],
        cwd: top,
        workspace,
        env,
        input: options.message,
        what: 'creating the commit',
      })
    ).trim();
    await gitOrThrow({
      args: ['branch', branch, sha],
      cwd: top,
      workspace,
      env,
      what: `creating branch ${branch}`,
    });
    return { branch, sha, message: options.message };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
