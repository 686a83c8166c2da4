import { UserError } from '@herd/core';
import type { Command } from 'commander';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/**
 * Registers `herd undo [step|run]`: restore the workspace to before a step or a fix attempt, or before the whole run.
 */
export function registerUndoCommand(program: Command): void {
  program
    .command('undo')
    .description(
      'Restore the files as they were before a step (e.g. step-2), a fix attempt (fix-1) or the whole run (`run`, the default)',
    )
    .argument('[target]', 'a step id (step-2) or fix attempt (fix-1), or `run`', 'run')
    .option('-s, --session <id>', 'session (default: the most recent one)')
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .action(async (target: string, options: { session?: string; workspace?: string }) => {
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
        const restored = await herd.undo({ sessionId, ...(target === 'run' ? {} : { step: target }) });
        const what = target === 'run' ? 'the whole run' : target;
        process.stdout.write(
          `undid ${what} (session ${sessionId}): ${restored.restored.length} file(s) restored, ${restored.removed.length} removed\n` +
            `the files as they were before this undo are kept as checkpoint ${restored.previousId}\n`,
        );
      } finally {
        await herd.close();
      }
    });
}
