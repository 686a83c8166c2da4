import path from 'node:path';
import { ensureConfigTrusted } from '@herd/core';
import type { Command } from 'commander';
import { herdVersion } from '../../herd-version.js';
import { loadConfigSectionJudges } from '../../settings/config-section-judges.js';
import { loadWorkspaceConfig } from '../../settings/load-workspace-config.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/**
 * Registers `herd mcp [--workspace DIR]`: serves the workspace tools (jail, command policy, sandbox,
 * checkpoints as configured in the `tools` section of herd.config.json) as an MCP server over stdio. A
 * configuration that changed since a person last ran Herd with it, or that weakens Herd with no person having
 * accepted it, is refused before serving: nobody can be asked on stdio, which belongs to the client.
 */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the workspace tools as an MCP server over stdio')
    .option(
      '-w, --workspace <dir>',
      'workspace root (default: the current directory)',
      parseWorkspaceArgument,
    )
    .action(async (options: { workspace?: string }) => {
      const workspace = path.resolve(options.workspace ?? process.cwd());
      // Loaded here, not at start: every other command would pay for the tools package.
      const [{ serveMcpOverStdio, probeBubblewrap, parseToolsConfig }, { createSharedWorkspaceHold }] =
        await Promise.all([import('@herd/tools'), import('../../herd/workspace-run-lock.js')]);
      // Every section is validated and judged, though only tools is used here: the trust this records is the one
      // every later run relies on.
      const loaded = await loadWorkspaceConfig({ cwd: workspace });
      await ensureConfigTrusted({ loaded, workspace, judges: await loadConfigSectionJudges() });
      // Said once at start, on stderr (stdout is the protocol): the person wiring up the client should know.
      const { mode } = parseToolsConfig(loaded.config.tools, loaded.file ?? 'environment').sandbox;
      const sandbox =
        mode === 'off'
          ? { kind: 'none', reason: 'tools.sandbox.mode is off in the configuration' }
          : await probeBubblewrap({ workspace });
      if (sandbox.kind === 'none') {
        process.stderr.write(
          mode === 'required'
            ? `herd mcp: run_command will refuse every command: the configuration requires the sandbox but ${sandbox.reason}; install bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap).\n`
            : `herd mcp: commands will run UNSANDBOXED (${sandbox.reason}); install bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap) to sandbox them.\n`,
        );
      }
      await serveMcpOverStdio({
        workspace,
        config: loaded.config.tools,
        configSource: loaded.file ?? 'environment',
        version: herdVersion,
        // A tool call that may change files holds the workspace while it runs, as a Herd run does for its own; the
        // client's parallel calls share one hold.
        holdWorkspace: createSharedWorkspaceHold({
          workspace,
          sessionId: `mcp-${process.pid}`,
          purpose: 'mcp',
        }).hold,
      });
    });
}
