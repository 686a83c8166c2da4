import { createInterface } from 'node:readline/promises';
import { HerdError, UserError } from '@herd/core';
import type { RestoreResult, UndoConflictError } from '@herd/tools';
import type { Command } from 'commander';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/**
 * Registers `herd undo [step|run]`: bring the files Herd changed since before a step or a fix attempt, or since
 * before the whole run, back as they were. Files a person created or edited by hand and Herd never touched stay as
 * they are; a file Herd changed that was edited again since is only overwritten after a yes at the terminal, or
 * with `--force` (without a terminal, the undo stops and names those files).
 */
export function registerUndoCommand(program: Command): void {
  program
    .command('undo')
    .description(
      'Restore the files Herd changed as they were before a step (e.g. step-2), a fix attempt (fix-1) or the whole run (`run`, the default); files you changed by hand are kept',
    )
    .argument('[target]', 'a step id (step-2) or fix attempt (fix-1), or `run`', 'run')
    .option('-s, --session <id>', 'session (default: the most recent one)')
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .option('-f, --force', 'also restore files that were changed again after Herd changed them')
    .action(async (target: string, options: { session?: string; workspace?: string; force?: boolean }) => {
      // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
      const { createHerd } = await import('../../herd/create-herd.js');
      const herd = createHerd({ ...(options.workspace ? { workspace: options.workspace } : {}) });
      try {
        const sessions = await herd.sessions();
        const sessionId = options.session ?? sessions[0]?.id;
        if (!sessionId)
          throw new UserError({
            code: 'session_not_found',
            message: 'There is no session to undo in this workspace; `herd run "<task>"` starts one.',
          });
        if (!sessions.some((session) => session.id === sessionId)) {
          throw new UserError({
            code: 'session_not_found',
            message: `There is no session '${sessionId.slice(0, 80)}' in this workspace; \`herd sessions\` lists them.`,
          });
        }
        const undo = (force: boolean) =>
          herd.undo({ sessionId, force, ...(target === 'run' ? {} : { step: target }) });
        let restored: RestoreResult;
        try {
          restored = await undo(options.force === true);
        } catch (error) {
          const conflict = conflictOf(error);
          if (!conflict || !(await confirmOverwrite(conflict))) throw error;
          restored = await undo(true);
        }
        const what = target === 'run' ? 'the whole run' : target;
        const overwritten = restored.conflicts.length
          ? `overwrote ${restored.conflicts.length} file(s) changed since Herd changed them: ${restored.conflicts.join(', ')}\n`
          : '';
        const kept = restored.kept.length
          ? `kept ${restored.kept.length} file(s) Herd changed where a folder of other files now is (restoring them would delete those): ${restored.kept.join(', ')}\n`
          : '';
        process.stdout.write(
          `undid ${what} (session ${sessionId}): ${restored.restored.length} file(s) restored, ${restored.removed.length} removed\n` +
            overwritten +
            kept +
            `the files as they were before this undo are kept as checkpoint ${restored.previousId}\n`,
        );
      } finally {
        await herd.close();
      }
    });
}

function conflictOf(error: unknown): UndoConflictError | undefined {
  const found = HerdError.find(error);
  return found?.code === 'undo_conflict' ? (found as UndoConflictError) : undefined;
}

/** Asks at the terminal whether to overwrite the files changed since Herd changed them; no terminal, no. */
async function confirmOverwrite(conflict: UndoConflictError): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  process.stderr.write(`${conflict.message}\n${conflict.paths.map((file) => `  ${file}\n`).join('')}`);
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await readline.question('Restore them anyway, losing those edits? [y/N]: ');
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    readline.close();
  }
}
