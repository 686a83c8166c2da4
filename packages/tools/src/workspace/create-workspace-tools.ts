import { type CheckpointStore, createCheckpointStore } from '../checkpoints/checkpoint-store.js';
import type { CommandRunner } from '../commands/command-runner.js';
import { describeUnsandboxed, placeCommand } from '../commands/place-command.js';
import { parseToolsConfig } from '../config/parse-tools-config.js';
import type { ToolsConfig } from '../config/tools-config.js';
import { createToolDispatcher, type ToolDispatcher } from '../dispatcher/tool-dispatcher.js';
import { removeStaleStagedFiles } from '../files/staging-directory.js';
import type { WorkspaceFileSystem } from '../files/workspace-file-system.js';
import { createWorkspaceJail, type WorkspaceJail } from '../jail/workspace-jail.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { createToolRegistry, type ToolRegistry } from '../tool/tool-registry.js';
import { createBuiltinTools } from './create-builtin-tools.js';

/** Options for {@link createWorkspaceTools}. */
export interface WorkspaceToolsOptions {
  /** The workspace root. */
  workspace: string;
  /** The raw `tools` section of the Herd configuration (validated here). */
  config?: unknown;
  /** Where the configuration came from, for error messages. */
  configSource?: string;
  /** Extra tools registered after the built-in ones. */
  extraTools?: readonly ToolDefinition[];
  /** Environment that `run_command` children draw allow-listed variables from, and that decides CI defaults. */
  environment?: NodeJS.ProcessEnv;
  /**
   * Where read_file, write_file and edit_file read and write text once the jail accepted a path (an editor's
   * buffers); default the disk. The jail, deny globs, per-file ordering and checkpoints still apply.
   */
  fileSystem?: WorkspaceFileSystem;
  /**
   * Where run_command runs a command once the command policy allowed it (an editor's terminal); default local
   * processes in bubblewrap when available. Such commands are reported as unsandboxed.
   */
  commandRunner?: CommandRunner;
}

/** Everything a run needs to act on a workspace. */
export interface WorkspaceTools {
  jail: WorkspaceJail;
  config: ToolsConfig;
  registry: ToolRegistry;
  dispatcher: ToolDispatcher;
  /** Undefined when checkpoints are turned off. */
  checkpoints: CheckpointStore | undefined;
  /**
   * Why `run_command` would run commands unsandboxed here, and what they could reach (what an approval of a plan
   * naming commands must say); undefined when bubblewrap sandboxes them, or when they would all be refused.
   */
  unsandboxedCommands(): Promise<string | undefined>;
}

/**
 * Builds the jail, the built-in tools, the registry, the checkpoint store and the dispatcher for a workspace.
 *
 * @throws ConfigError when the tools configuration is invalid; UserError when the workspace does not exist.
 * @example
 * const { dispatcher } = await createWorkspaceTools({ workspace: process.cwd(), config: herdConfig.tools });
 * await dispatcher.dispatch({ name: 'list_files', arguments: {} });
 */
export async function createWorkspaceTools(options: WorkspaceToolsOptions): Promise<WorkspaceTools> {
  const config = parseToolsConfig(options.config, options.configSource);
  const jail = await createWorkspaceJail({
    root: options.workspace,
    deny: config.jail.deny,
    defaultDeny: config.jail.defaultDeny,
  });
  // Writes killed halfway (SIGKILL, a crash) leave their staged file in .herd/tmp; nothing else can remove it.
  await removeStaleStagedFiles(jail).catch(() => 0);
  const registry = createToolRegistry({
    tools: [
      ...createBuiltinTools({
        jail,
        config,
        ...(options.environment ? { environment: options.environment } : {}),
        ...(options.fileSystem ? { fileSystem: options.fileSystem } : {}),
        ...(options.commandRunner ? { commandRunner: options.commandRunner } : {}),
      }),
      ...(options.extraTools ?? []),
    ],
  });
  const checkpoints = config.checkpoints.enabled
    ? createCheckpointStore({
        workspace: jail.root,
        directory: config.checkpoints.directory,
        // What tools may not read (secrets) is not copied into the user's cache either.
        isDenied: (relativePath) => jail.deniedBy(relativePath) !== undefined,
      })
    : undefined;
  const dispatcher = createToolDispatcher({ registry, ...(checkpoints ? { checkpoints } : {}) });
  const unsandboxedCommands = async () => {
    try {
      const placement = await placeCommand({
        config,
        commandRunner: options.commandRunner,
        hasStdin: false,
        workspace: jail.root,
      });
      return describeUnsandboxed(placement);
    } catch {
      // The configuration requires the sandbox and it does not work here: every command is refused, none unsandboxed.
      return undefined;
    }
  };
  return { jail, config, registry, dispatcher, checkpoints, unsandboxedCommands };
}
