import type { Command } from 'commander';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/** Registers `herd sessions`: list the runs of this workspace. */
export function registerSessionsCommand(program: Command): void {
  program
    .command('sessions')
    .description('List the runs of this workspace, most recent first')
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .option('--json', 'print JSON')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      // Loaded here, not at start: the agent stack is heavy and other commands do not need it.
      const [{ createHerd }, { isRunAlive }] = await Promise.all([
        import('../../herd/create-herd.js'),
        import('../../herd/running-marker.js'),
      ]);
      const herd = createHerd({ ...(options.workspace ? { workspace: options.workspace } : {}) });
      try {
        const sessions = await herd.sessions();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
          return;
        }
        if (sessions.length === 0) {
          process.stdout.write('no sessions yet; start one with `herd run "<task>"`\n');
          return;
        }
        for (const session of sessions) {
          const step = session.lastCompletedStep ? `, last step ${session.lastCompletedStep}` : '';
          // A run killed with SIGKILL stays `running` in the store; show it as interrupted (herd resume continues it).
          const status =
            session.status === 'running' &&
            !isRunAlive({ workspace: session.workspace, sessionId: session.id })
              ? 'interrupted'
              : session.status;
          process.stdout.write(
            `${session.id}  ${status.padEnd(17)} ${session.updatedAt}${step}\n    ${session.task}\n`,
          );
        }
      } finally {
        await herd.close();
      }
    });
}
