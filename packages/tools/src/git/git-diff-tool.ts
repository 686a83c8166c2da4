import { GuardError } from '@herd/core/errors';
import { z } from 'zod';
import { defaultDenyGlobs } from '../jail/default-deny-globs.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { notARepository } from './git-status-tool.js';
import { runGit } from './run-git.js';

const GitDiffInputSchema = z.object({
  staged: z.boolean().default(false).describe('Show staged changes instead of unstaged ones. Default false.'),
  ref: z
    .string()
    .optional()
    .describe('Compare the working tree with this commit or branch, e.g. "HEAD~1" or "main".'),
  path: z.string().optional().describe('Limit the diff to this file or directory.'),
  maxChars: z
    .number()
    .int()
    .min(1000)
    .max(200_000)
    .default(40_000)
    .describe('Longest diff returned. Default 40000.'),
});

/** Creates `git_diff`: the unified diff of the workspace (unstaged, staged, or against a ref), read-only. */
export function createGitDiffTool(options: { jail: WorkspaceJail }) {
  const { jail } = options;
  return defineTool({
    name: 'git_diff',
    description:
      'Show the git diff of the workspace: unstaged changes by default, staged with staged=true, or against a ref.',
    input: GitDiffInputSchema,
    access: 'read',
    examples: [{ staged: false }],
    async run({ staged, ref, path: limitPath, maxChars }, { signal }) {
      if (ref !== undefined && (ref.startsWith('-') || !/^[\w./~^@{}-]+$/.test(ref))) {
        throw new GuardError({
          code: 'git_ref_invalid',
          message: `The ref '${ref.slice(0, 100)}' is not a plain commit or branch name (options are not accepted); pass something like "HEAD~1".`,
          scanner: 'git_diff',
        });
      }
      // No external diff, textconv or submodule status (each would run a program the repository names), no
      // renames (a renamed secret would show its lines), paths relative to the workspace.
      const base = ['diff', '--no-ext-diff', '--no-textconv', '--ignore-submodules=dirty', '--no-color'];
      base.push('--no-renames', '--relative');
      if (staged) base.push('--cached');
      if (ref) base.push(ref);
      const scope = [
        '--',
        limitPath ? `:(literal)${(await jail.resolve({ path: limitPath, intent: 'read' })).relative}` : '.',
        ...defaultDenyGlobs.map((glob) => `:(exclude,glob,icase)${glob}`),
      ];
      const git = (args: string[]) => runGit({ args, cwd: jail.root, signal }).catch(notARepository);
      // Secrets stay out of diffs as they stay out of reads: the changed files the jail denies are left out by
      // name (the jail's globs are richer than git's pathspecs).
      const changed = (await git([...base, '--name-only', '-z', ...scope])).split('\0').filter(Boolean);
      const denied = changed.filter((file) => jail.deniedBy(file) !== undefined);
      const diff = await git([...base, ...scope, ...denied.map((file) => `:(exclude,literal)${file}`)]);
      const truncated = diff.length > maxChars;
      const shown = truncated
        ? `${diff.slice(0, maxChars)}\n[diff cut at ${maxChars} of ${diff.length} characters; pass path to narrow it]`
        : diff;
      return { content: shown || 'No differences.', data: { truncated, characters: diff.length } };
    },
  });
}
