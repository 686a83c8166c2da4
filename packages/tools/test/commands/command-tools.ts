import type { CommandRunner } from '../../src/commands/command-runner.js';
import { createRunCommandTool } from '../../src/commands/run-command-tool.js';
import { parseToolsConfig } from '../../src/config/parse-tools-config.js';
import type { ToolsConfigInput } from '../../src/config/tools-config.js';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

/** Rules that let the test programs run without approval. */
export const testRules = [{ program: '{sh,node,env,head,echo,sleep,touch,cat}', decision: 'allow' as const }];

/** A dispatcher with run_command over a workspace. */
export async function commandToolsFor(
  root: string,
  options: { config?: ToolsConfigInput; environment?: NodeJS.ProcessEnv; commandRunner?: CommandRunner } = {},
) {
  const jail = await createWorkspaceJail({ root });
  const config = parseToolsConfig({
    ...options.config,
    commands: { rules: testRules, timeoutMs: 10_000, ...options.config?.commands },
  });
  const tool = createRunCommandTool({
    jail,
    config,
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.commandRunner ? { commandRunner: options.commandRunner } : {}),
  });
  return createToolDispatcher({ registry: createToolRegistry({ tools: [tool] }) });
}
