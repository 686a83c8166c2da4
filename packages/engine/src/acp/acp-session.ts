import { join } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import {
  type ConfigTrust,
  describeConfigTrust,
  HerdError,
  type LoadedHerdConfig,
  loadHerdConfig,
  resolveHerdRoles,
} from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import type { ToolDefinition, UndoConflictError } from '@herd/tools';
import type { ApprovalDecision, ApprovalRequest } from '../approvals/approval-request.js';
import { createHerd, type Herd, type HerdRun } from '../herd/create-herd.js';
import type { HerdRunResult } from '../herd/drive-run.js';
import { type AcpSessionRecord, writeAcpSessionRecord } from './acp-session-record.js';
import {
  approvalPermissionQuestion,
  decisionOfPermission,
  type PermissionQuestion,
} from './approval-permission.js';
import { createEditorFileSystem, offersEditorFileSystem } from './editor-file-system.js';
import { createEditorMcpServers } from './editor-mcp-servers.js';
import { createEditorTerminalRunner } from './editor-terminal-runner.js';
import { promptTask } from './prompt-task.js';
import type { AcpSessionModeId } from './session-modes.js';
import { createSessionUpdateMapper } from './session-update-mapper.js';
import { parseUndoCommand, type UndoTarget, undoSessionChange } from './undo-session-change.js';

/** Options for {@link createAcpSession}. */
export interface AcpSessionOptions {
  /** The session's record; it is updated and written back as the session goes. */
  record: AcpSessionRecord;
  /** The editor: where updates and permission requests go. */
  client: acp.AgentContext;
  /** A loaded configuration; default: `herd.config.json` found from the session's `cwd`. */
  config?: LoadedHerdConfig;
  /** Environment for API keys and child processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * What the editor said it offers in `initialize`: with `fs.readTextFile` and `fs.writeTextFile` the file tools
   * use its buffers, with `terminal` commands run in its terminal; otherwise the disk and local processes.
   */
  clientCapabilities?: acp.ClientCapabilities;
}

/**
 * One editor session: a Herd of its own (so "allow always" answers stay in the session and a question waiting
 * here blocks no other session), its mode, its prompt.
 */
export interface AcpSession {
  readonly record: AcpSessionRecord;
  /** Runs one prompt to its end in the session's mode and says why it stopped. */
  prompt(prompt: readonly acp.ContentBlock[], signal: AbortSignal): Promise<acp.StopReason>;
  /** Tells the editor the session's slash commands (`/act`, `/undo`); sent just after the session is opened. */
  announceCommands(): void;
  /** Takes the MCP servers the editor gives the session; they are started when a prompt needs their tools. */
  useMcpServers(servers: readonly acp.McpServer[]): Promise<void>;
  /** Switches the mode at the editor's request. */
  setMode(mode: AcpSessionModeId): void;
  /** Stops the running prompt, if any; its pending question is withdrawn. */
  cancel(): void;
  /** True while a prompt runs. */
  readonly busy: boolean;
  /**
   * Closes the session's Herd (models, databases, the Prompt Guard classifier) while no prompt runs; the next
   * prompt opens it again. "Allow always" answers survive: they are kept in the session record.
   */
  release(): Promise<void>;
  /** Cancels and releases the session's models and databases. */
  close(): Promise<void>;
}

/**
 * Creates an editor session. In `plan` mode a prompt proposes a plan; the agent then asks, as a permission
 * request, whether to switch to `act` and carry it out, and acts only on "allow" (that answer is also the plan's
 * approval, so it is not asked twice). In `act` mode a prompt is a whole run: plan, approval, act, verify. Every
 * question a run asks becomes a `session/request_permission` with allow once / allow always / reject.
 */
export function createAcpSession(options: AcpSessionOptions): AcpSession {
  const { record, client } = options;
  const env = options.env ?? process.env;
  const preapproved = new Set<string>();
  let running: AbortController | undefined;

  const windows = contextWindows({ cwd: record.cwd, env, config: options.config });
  const mapper = createSessionUpdateMapper({
    workspace: record.cwd,
    live: true,
    contextWindowOf: (role) => windows?.[role],
  });
  // Opened for a prompt and released when the session goes idle and another needs the memory (see `release`).
  let opened: Herd | undefined;
  const mcpServers = createEditorMcpServers({ cwd: record.cwd });
  let mcpTools: ToolDefinition[] = [];
  const herd = (): Herd => {
    opened ??= createHerd({
      workspace: record.cwd,
      // With the credentials of the editor's MCP servers, under names that are no variable of Herd's, so that
      // their values are redacted as Herd's own keys are (`EditorMcpServers.secretEnvironment`).
      env: { ...mcpServers.secretEnvironment(), ...env },
      ...(mcpTools.length > 0 ? { extraTools: mcpTools } : {}),
      ...(options.config ? { config: options.config } : {}),
      ...(offersEditorFileSystem(options.clientCapabilities)
        ? { fileSystem: createEditorFileSystem({ client, sessionId: record.sessionId }) }
        : {}),
      ...(options.clientCapabilities?.terminal === true
        ? { commandRunner: createEditorTerminalRunner({ client, sessionId: record.sessionId }) }
        : {}),
      resolveApproval,
      configTrust: { ask: askToTrustConfig },
    });
    return opened;
  };

  function save(): void {
    record.updatedAt = new Date().toISOString();
    writeAcpSessionRecord(record);
  }

  async function update(update: acp.SessionUpdate): Promise<void> {
    await client.notify(acp.methods.client.session.update, { sessionId: record.sessionId, update });
  }

  async function resolveApproval(request: ApprovalRequest): Promise<ApprovalDecision | undefined> {
    if (preapproved.delete(request.requestId)) return 'allow_once';
    if (request.rememberKey && record.alwaysAllowed.includes(request.rememberKey)) return 'allow_always';
    const decision = await ask(approvalPermissionQuestion(request));
    if (decision === 'allow_always' && request.rememberKey) {
      record.alwaysAllowed.push(request.rememberKey);
      save();
    }
    return decision;
  }

  /**
   * Asks the editor: the question is first shown as a pending tool call, then asked, then closed as completed
   * (allowed) or failed (refused or withdrawn), so no question stays pending in the editor.
   */
  async function ask(question: PermissionQuestion): Promise<ApprovalDecision | undefined> {
    const signal = running?.signal;
    if (signal?.aborted) return undefined;
    const { toolCall } = question;
    await update({ sessionUpdate: 'tool_call', ...toolCall });
    let decision: ApprovalDecision | undefined;
    try {
      const response = await client.request(
        acp.methods.client.session.requestPermission,
        { sessionId: record.sessionId, toolCall, options: question.options },
        signal ? { cancellationSignal: signal, stopWaitingOnCancel: true } : {},
      );
      decision = decisionOfPermission(response);
    } catch (error) {
      // A withdrawn question (the prompt was cancelled) is no answer; anything else is the editor's failure.
      if (!signal?.aborted) throw error;
    }
    await update({
      sessionUpdate: 'tool_call_update',
      toolCallId: toolCall.toolCallId,
      status: decision === 'allow_once' || decision === 'allow_always' ? 'completed' : 'failed',
      rawOutput: { decision: decision ?? 'withdrawn' },
    });
    return decision;
  }

  async function follow(run: HerdRun, continued = false): Promise<HerdRunResult> {
    const entry: AcpSessionRecord['runs'][number] = { runId: run.sessionId, continued };
    record.runs.push(entry);
    save();
    for await (const event of run) {
      for (const item of mapper.map(event)) await update(item);
    }
    let result: HerdRunResult;
    try {
      result = await run.result;
    } catch (error) {
      // The error was already shown as a message; the prompt fails with it too, with its stable code.
      throw new acp.RequestError(
        -32603,
        error instanceof Error ? error.message : String(error),
        HerdError.isInstance(error) ? { code: error.code, blame: error.blame } : undefined,
      );
    }
    if (result.planId) record.lastPlanId = result.planId;
    entry.changed = result.patch.trim() !== '';
    // The reason is part of the result, not of an event; said live only, so a replay shows the status alone.
    if (result.status !== 'succeeded' && result.reason) {
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: `Why: ${result.reason}.\n\n` },
      });
    }
    return result;
  }

  /**
   * Asks the editor whether to use a configuration file that changed since a person last ran Herd with it, or that
   * weakens Herd with no person having accepted it.
   */
  async function askToTrustConfig(trust: ConfigTrust): Promise<boolean> {
    const decision = await ask({
      toolCall: {
        toolCallId: `config-trust-${trust.sha256?.slice(0, 16) ?? 'none'}`,
        title:
          trust.status === 'changed' || trust.status === 'new-file'
            ? `Use the changed configuration ${trust.file ?? ''}?`
            : `Use the configuration ${trust.file ?? ''}, which weakens Herd?`,
        kind: 'other',
        status: 'pending',
        content: [
          {
            type: 'content',
            content: {
              type: 'text',
              text: `${describeConfigTrust(trust)}. Review it before you answer; "Use it" remembers this version.`,
            },
          },
        ],
        rawInput: { file: trust.file, status: trust.status, weakenings: trust.weakenings },
      },
      options: [
        { optionId: 'allow_once', name: 'Use it', kind: 'allow_once' },
        { optionId: 'reject', name: 'Do not use it', kind: 'reject_once' },
      ],
    });
    return decision === 'allow_once';
  }

  async function askToAct(result: HerdRunResult): Promise<ApprovalDecision | undefined> {
    const version = [...result.events].reverse().find((event) => event.type === 'plan-propose');
    const title = `Switch to act mode and carry out plan ${result.planId}${version?.type === 'plan-propose' ? ` (version ${version.version})` : ''}?`;
    const decision = await ask({
      toolCall: {
        toolCallId: `switch-to-act-${result.planId}`,
        title,
        kind: 'switch_mode',
        status: 'pending',
        rawInput: { planId: result.planId, mode: 'act' },
      },
      options: [
        { optionId: 'allow_once', name: 'Approve the plan and act', kind: 'allow_once' },
        { optionId: 'reject', name: 'Stay in plan mode', kind: 'reject_once' },
      ],
    });
    if (decision !== 'reject' && decision !== undefined && version?.type === 'plan-propose')
      preapproved.add(`plan-${version.planId}-v${version.version}`);
    return decision;
  }

  async function actOnLastPlan(signal: AbortSignal): Promise<acp.StopReason> {
    if (!record.lastPlanId) {
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: 'This session has no plan yet: describe the task first.\n\n' },
      });
      return 'end_turn';
    }
    // Not pre-approved: the act run asks for the plan's approval unless it was approved before.
    return stopReasonOf(await follow(herd().act(record.lastPlanId, { signal })), signal);
  }

  /** Asks the editor whether `/undo` may overwrite files edited again after Herd changed them. */
  async function confirmOverwrite(conflict: UndoConflictError): Promise<boolean> {
    const decision = await ask({
      toolCall: {
        toolCallId: `undo-overwrite-${Date.now()}`,
        title: `Undo would overwrite ${conflict.paths.length} file(s) edited after Herd changed them: ${conflict.paths.slice(0, 5).join(', ')}${conflict.paths.length > 5 ? ', …' : ''}. Restore them anyway?`,
        kind: 'edit',
        status: 'pending',
        locations: conflict.paths.slice(0, 30).map((path) => ({ path: join(record.cwd, path) })),
        rawInput: { paths: conflict.paths },
      },
      options: [
        { optionId: 'allow_once', name: 'Restore them anyway', kind: 'allow_once' },
        { optionId: 'reject', name: 'Keep my edits', kind: 'reject_once' },
      ],
    });
    return decision === 'allow_once' || decision === 'allow_always';
  }

  async function undoLastChange(target: UndoTarget): Promise<acp.StopReason> {
    let text: string;
    try {
      text = await undoSessionChange({ herd: herd(), record, target, confirmOverwrite });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: `Error: ${message}\n\n` },
      });
      throw new acp.RequestError(
        -32603,
        message,
        HerdError.isInstance(error) ? { code: error.code, blame: error.blame } : undefined,
      );
    }
    await update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `${text}\n\n` } });
    return 'end_turn';
  }

  /** Starts the editor's MCP servers when needed; a Herd made with other tools is made again. */
  async function startMcpServers(): Promise<void> {
    if (!mcpServers.changed) return;
    const { tools, warnings } = await mcpServers.connect();
    const stale = opened;
    opened = undefined;
    await stale?.close();
    mcpTools = tools;
    for (const warning of warnings) {
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: `Warning: ${warning}\n\n` },
      });
    }
  }

  async function promptInMode(task: string, signal: AbortSignal): Promise<acp.StopReason> {
    if (/^\/act\b/.test(task)) return actOnLastPlan(signal);
    const undo = parseUndoCommand(task);
    if (undo) return undoLastChange(undo);
    if (record.mode === 'act') return stopReasonOf(await follow(herd().run(task, { signal })), signal);
    const planned = await follow(herd().plan(task, { signal }));
    if (signal.aborted || planned.status !== 'succeeded' || !planned.planId)
      return stopReasonOf(planned, signal);
    const decision = await askToAct(planned);
    if (decision === undefined) return stopReasonOf(planned, signal);
    if (decision === 'reject') {
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: 'Staying in plan mode; the plan is saved.\n\n' },
      });
      return 'end_turn';
    }
    record.mode = 'act';
    save();
    await update({ sessionUpdate: 'current_mode_update', currentModeId: 'act' });
    return stopReasonOf(await follow(herd().act(planned.planId, { signal }), true), signal);
  }

  return {
    record,
    async prompt(prompt, requestSignal) {
      if (running) {
        throw acp.RequestError.invalidRequest(
          { sessionId: record.sessionId },
          'this session is already running a prompt; cancel it first',
        );
      }
      const task = promptTask(prompt);
      if (!task) throw acp.RequestError.invalidParams(undefined, 'the prompt has no text to use as a task');
      const controller = new AbortController();
      running = controller;
      const abort = () => controller.abort();
      requestSignal.addEventListener('abort', abort, { once: true });
      try {
        if (!record.title) {
          // The title is kept in .herd/acp: a key pasted into the prompt is taken out first, before the cut that
          // could leave a piece of it too short to recognise.
          const title = createSecretsRedactor({ env }).redact(task);
          record.title = title.length > 80 ? `${title.slice(0, 79)}…` : title;
          await update({ sessionUpdate: 'session_info_update', title: record.title });
        }
        await startMcpServers();
        return await promptInMode(task, controller.signal);
      } catch (error) {
        // ACP: a prompt the editor cancelled answers `cancelled`, whatever the interrupted work threw.
        if (controller.signal.aborted) return 'cancelled';
        throw error;
      } finally {
        requestSignal.removeEventListener('abort', abort);
        running = undefined;
        save();
      }
    },
    announceCommands() {
      // After the response that names the session, so the editor knows the session the update is for.
      setImmediate(() => {
        void update({ sessionUpdate: 'available_commands_update', availableCommands: sessionCommands }).catch(
          () => {},
        );
      });
    },
    get busy() {
      return running !== undefined;
    },
    async release() {
      if (running) return;
      const closing = opened;
      opened = undefined;
      await closing?.close();
      // The servers' processes go too; the next prompt starts them again.
      await mcpServers.close();
    },
    useMcpServers: (servers) => mcpServers.set(servers),
    setMode(mode) {
      record.mode = mode;
      save();
    },
    cancel() {
      running?.abort();
    },
    async close() {
      running?.abort();
      const closing = opened;
      opened = undefined;
      await closing?.close();
      await mcpServers.close();
    },
  };
}

const sessionCommands: acp.AvailableCommand[] = [
  {
    name: 'act',
    description:
      "Carry out this session's latest plan (asks you to approve it first, unless you already did).",
  },
  {
    name: 'undo',
    description:
      "Restore the files as they were before this session's latest run (or before one of its steps); again to go further back.",
    input: { hint: 'step-N, fix-N or nothing for the whole run' },
  },
];

function stopReasonOf(result: HerdRunResult, signal: AbortSignal): acp.StopReason {
  if (signal.aborted) return 'cancelled';
  if (result.status === 'blocked') return 'refusal';
  if (result.status === 'limits_exceeded') return 'max_turn_requests';
  return 'end_turn';
}

/** The served context windows per role, or `undefined` when the configuration cannot be read yet. */
function contextWindows(options: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  config: LoadedHerdConfig | undefined;
}): Partial<Record<'planner' | 'actor' | 'llamaGuard', number>> | undefined {
  try {
    const loaded = options.config ?? loadHerdConfig({ cwd: options.cwd, env: options.env });
    const roles = resolveHerdRoles({
      config: loaded.config,
      baseDirectory: loaded.baseDirectory,
      env: options.env,
    });
    return {
      planner: roles.planner.contextWindow,
      actor: roles.actor.contextWindow,
      ...(roles.guard.llamaGuard ? { llamaGuard: roles.guard.llamaGuard.contextWindow } : {}),
    };
  } catch {
    return undefined;
  }
}
