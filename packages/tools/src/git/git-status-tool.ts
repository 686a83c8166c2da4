import { HerdError, UserError } from '@herd/core/errors';
import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { runGit } from './run-git.js';

/** Turns "not a git repository" into an error the model can act on. */
export const notARepository = (error: unknown): never => {
  if (HerdError.isInstance(error) && /not a git repository/i.test(error.message)) {
    throw new UserError({
      code: 'not_a_git_repository',
      message:
        'The workspace is not a git repository, so git tools cannot be used; read files directly instead.',
    });
  }
  throw error;
};

/** Creates `git_status`: the branch and changed files of the workspace repository (read-only). */
export function createGitStatusTool(options: { jail: WorkspaceJail }) {
  const { jail } = options;
  return defineTool({
    name: 'git_status',
    description: 'Show the current git branch and which files are modified, staged or untracked.',
    input: z.object({}),
    access: 'read',
    async run(_input, { signal }) {
      const output = await runGit({
        // `dirty`: submodule commits still show, but git never starts a `git status` inside a submodule (whose
        // own config, possibly planted, would then apply).
        // `-- .`: only the workspace, even when the repository's work tree (`core.worktree`) is larger.
        args: [
          'status',
          '--porcelain=v1',
          '--branch',
          '--untracked-files=all',
          '--ignore-submodules=dirty',
          '--',
          '.',
        ],
        cwd: jail.root,
        signal,
      }).catch(notARepository);
      const lines = output.split('\n').filter(Boolean);
      const branch = lines[0]?.startsWith('## ') ? lines.shift()!.slice(3) : undefined;
      const files = lines.map((line) => ({ status: line.slice(0, 2), path: line.slice(3) }));
      return {
        content: `branch ${branch ?? '(unknown)'}\n${files.length > 0 ? lines.join('\n') : 'working tree clean'}`,
        data: { branch, files },
      };
    },
  });
}
