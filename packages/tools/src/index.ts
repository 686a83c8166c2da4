// Public API of @herd/tools. Every export is listed by name; a new export here is new public API.

export type {
  Checkpoint,
  CheckpointChange,
  CheckpointStore,
  CheckpointStoreOptions,
  RestoreOptions,
  RestoreResult,
} from './checkpoints/checkpoint-store.js';
export { createCheckpointStore, defaultCheckpointDirectory } from './checkpoints/checkpoint-store.js';
export type { SandboxStatus } from './commands/bubblewrap-sandbox.js';
export { probeBubblewrap } from './commands/bubblewrap-sandbox.js';
export { buildChildEnvironment, defaultEnvironmentAllowList } from './commands/child-environment.js';
export type { CommandPolicyContext, CommandPolicyVerdict } from './commands/command-policy.js';
export { builtinCommandRules, evaluateCommandPolicy } from './commands/command-policy.js';
export type { CommandRunner, CommandRunRequest } from './commands/command-runner.js';
export type { CapturedOutput, OutputCapture } from './commands/output-capture.js';
export { createOutputCapture } from './commands/output-capture.js';
export type { RunCommandData, RunCommandToolOptions } from './commands/run-command-tool.js';
export { createRunCommandTool } from './commands/run-command-tool.js';
export type { ProcessTreeResult } from './commands/run-process-tree.js';
export { parseToolsConfig } from './config/parse-tools-config.js';
export type { CommandDecision, CommandRule, ToolsConfig, ToolsConfigInput } from './config/tools-config.js';
export { CommandDecisionSchema, CommandRuleSchema, ToolsConfigSchema } from './config/tools-config.js';
export { toolsConfigWeakenings } from './config/tools-config-weakenings.js';
export type { ToolCall } from './dispatcher/tool-call.js';
export { ToolCallSchema } from './dispatcher/tool-call.js';
export type {
  CheckpointTaker,
  DispatchOptions,
  ToolDispatcher,
  ToolDispatcherOptions,
} from './dispatcher/tool-dispatcher.js';
export { createToolDispatcher } from './dispatcher/tool-dispatcher.js';
export type { ToolResult, ToolResultError } from './dispatcher/tool-result.js';
export type { ApprovalRequest } from './errors/approval-required-error.js';
export { ApprovalRequiredError } from './errors/approval-required-error.js';
export type { PathDeniedErrorOptions, PathDenyRule } from './errors/path-denied-error.js';
export { PathDeniedError } from './errors/path-denied-error.js';
export { UndoConflictError } from './errors/undo-conflict-error.js';
export { createEditFileTool } from './files/edit-file-tool.js';
export { createGlobTool } from './files/glob-tool.js';
export { createListFilesTool } from './files/list-files-tool.js';
export type { ReadFileData, ReadFileToolOptions } from './files/read-file-tool.js';
export { createReadFileTool } from './files/read-file-tool.js';
export type { SearchMatch, SearchOutcome, SearchQuery, SearchToolOptions } from './files/search-tool.js';
export { createSearchTool } from './files/search-tool.js';
export type { WorkspaceFileSystem } from './files/workspace-file-system.js';
export type { FileWriteToolOptions } from './files/write-file-tool.js';
export { createWriteFileTool } from './files/write-file-tool.js';
export { createGitDiffTool } from './git/git-diff-tool.js';
export { createGitStatusTool } from './git/git-status-tool.js';
export type { RunGitOptions } from './git/run-git.js';
export { runGit } from './git/run-git.js';
export type { HostGitOptions, HostGitResult } from './git/run-host-git.js';
export { runHostGit } from './git/run-host-git.js';
export { defaultDenyGlobs } from './jail/default-deny-globs.js';
export type { PinnedDirectory } from './jail/pinned-directory.js';
export type { PathIntent, ResolvedPath, WorkspaceJail, WorkspaceJailOptions } from './jail/workspace-jail.js';
export { createWorkspaceJail } from './jail/workspace-jail.js';
export type { ToLangChainToolsOptions } from './langchain/to-langchain-tools.js';
export { toLangChainTools } from './langchain/to-langchain-tools.js';
export type { McpServerTools, McpStdioServer } from './mcp/connect-mcp-server-tools.js';
export { connectMcpServerTools, mcpToolName } from './mcp/connect-mcp-server-tools.js';
export type { CreateMcpServerOptions } from './mcp/create-mcp-server.js';
export { createMcpServer } from './mcp/create-mcp-server.js';
export type { JsonRpcEnvelope } from './mcp/json-rpc-envelope-scanner.js';
export { JsonRpcEnvelopeScanner } from './mcp/json-rpc-envelope-scanner.js';
export type { OversizedJsonRpcMessage } from './mcp/limit-json-rpc-lines.js';
export {
  describeOversizedMessage,
  limitJsonRpcLines,
  maxJsonRpcMessageBytes,
  oversizedMessageError,
} from './mcp/limit-json-rpc-lines.js';
export type { ServeMcpOverStdioOptions } from './mcp/serve-mcp-over-stdio.js';
export { serveMcpOverStdio } from './mcp/serve-mcp-over-stdio.js';
export { formatPythonicToolCalls } from './text-calls/format-pythonic-tool-calls.js';
export type { CallBlockParse, TextToolCall } from './text-calls/parse-call-block.js';
export { parseCallBlock, pythonEndTag, pythonStartTag } from './text-calls/parse-call-block.js';
export type { TextToolCallParse } from './text-calls/parse-text-tool-calls.js';
export { parseTextToolCalls } from './text-calls/parse-text-tool-calls.js';
export type {
  TextToolCallEvent,
  TextToolCallOptions,
  TextToolCallStream,
} from './text-calls/text-tool-call-stream.js';
export { createTextToolCallStream } from './text-calls/text-tool-call-stream.js';
export type {
  DefineToolOptions,
  ToolAccess,
  ToolDefinition,
  ToolOutput,
  ToolRunContext,
} from './tool/define-tool.js';
export { defineTool } from './tool/define-tool.js';
export type { JsonSchemaObject } from './tool/tool-json-schema.js';
export { toolInputJsonSchema } from './tool/tool-json-schema.js';
export type { McpToolDescription, OpenAiFunctionTool, ToolRegistry } from './tool/tool-registry.js';
export { createToolRegistry } from './tool/tool-registry.js';
export { createFetchUrlTool, isHostAllowed } from './web/fetch-url-tool.js';
export {
  createBuiltinTools,
  isFetchUrlEnabled,
  readOnlyToolNames,
} from './workspace/create-builtin-tools.js';
export type { WorkspaceTools, WorkspaceToolsOptions } from './workspace/create-workspace-tools.js';
export { createWorkspaceTools } from './workspace/create-workspace-tools.js';
