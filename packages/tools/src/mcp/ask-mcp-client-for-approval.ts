import path from 'node:path';
import { formatCommandLine, visibleText } from '@herd/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ToolResultError } from '../dispatcher/tool-result.js';
import type { ApprovalRequest } from '../errors/approval-required-error.js';

/** Options for {@link askMcpClientForApproval}. */
export interface AskMcpClientForApprovalOptions {
  /** The connected server whose client is asked. */
  server: Server;
  /** What the command policy wants a person to approve. */
  approval: ApprovalRequest;
  /** The workspace the command would run in, named in the question. */
  workspace?: string;
  /** The `tools/call` request the question belongs to, so transports route it to the same client stream. */
  relatedRequestId?: RequestId;
  /** Cancels the question together with the tool call. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the person's answer. */
  timeoutMs: number;
}

/** The person's answer: run the command (maybe remembering it), or the refusal to give the model. */
export type McpApprovalAnswer =
  | { approved: true; remember: boolean }
  | { approved: false; error: ToolResultError };

const quoted = (argv: readonly string[]) => `\`${formatCommandLine(argv)}\``;

/** How much of a command's standard input the question shows. */
const stdinShown = 2000;

/** The sentence about what the command gets on standard input, or nothing. */
function describeStdin(stdin: string | undefined): string {
  if (stdin === undefined) return '';
  const shown = visibleText(stdin.slice(0, stdinShown), { keepNewlines: true });
  const rest =
    stdin.length > stdinShown ? `\n… (${stdin.length - stdinShown} more characters not shown)` : '';
  return ` On standard input it gets ${Buffer.byteLength(stdin)} bytes:\n${shown}${rest}`;
}

/**
 * Asks the person behind the MCP client to approve a command through `elicitation/create` (form mode) when the
 * client declared the `elicitation` capability. A command that would run without the sandbox says so in the
 * question (`UNSANDBOXED`, why, and what it could reach). Only an accepted form with `allow` set to true approves; a
 * declined, cancelled, failed or unanswered question is a refusal, and so is a client that cannot ask at all,
 * with a message saying how to allow the command instead.
 */
export async function askMcpClientForApproval(
  options: AskMcpClientForApprovalOptions,
): Promise<McpApprovalAnswer> {
  const { server, approval, workspace, relatedRequestId, signal, timeoutMs } = options;
  const command = quoted(approval.argv);
  const unsandboxed = approval.unsandboxed ? ` It would run UNSANDBOXED: ${approval.unsandboxed}.` : '';
  if (!server.getClientCapabilities()?.elicitation?.form) {
    const program = path.basename(approval.argv[0] ?? 'program');
    return {
      approved: false,
      error: {
        code: 'approval_unavailable',
        message: `Running ${command} needs a person's approval (${approval.reason}), but this MCP client cannot ask one because it does not support elicitation, so the command did not run.${unsandboxed}`,
        hint: `Use a different command, or ask the user to allow it with a rule in tools.commands.rules of herd.config.json (e.g. {"program": "${program}", "decision": "allow"}) or to connect with an MCP client that supports elicitation.`,
      },
    };
  }
  const folder = workspace && approval.cwd ? path.join(workspace, approval.cwd) : (workspace ?? approval.cwd);
  const place = folder ? ` in ${visibleText(folder)}` : '';
  let answer: Awaited<ReturnType<Server['elicitInput']>>;
  try {
    answer = await server.elicitInput(
      {
        mode: 'form',
        message: `Allow ${command}${place}${approval.unsandboxed ? ' UNSANDBOXED' : ''}? Herd's command policy asks because ${visibleText(approval.reason)} (rule: ${visibleText(approval.rule)}).${unsandboxed}${describeStdin(approval.stdin)}`,
        requestedSchema: {
          type: 'object',
          properties: {
            allow: {
              type: 'boolean',
              title: 'Allow',
              description: `Run ${command} once${approval.unsandboxed ? ', unsandboxed' : ''}.`,
              default: false,
            },
            remember: {
              type: 'boolean',
              title: 'Remember for this session',
              description:
                'Run this exact command (same folder, same standard input) again without asking until the MCP connection closes.',
              default: false,
            },
          },
          required: ['allow'],
        },
      },
      {
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
        ...(relatedRequestId !== undefined ? { relatedRequestId } : {}),
      },
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      approved: false,
      error: {
        code: 'approval_failed',
        message: `Running ${command} needs a person's approval, but asking through the MCP client failed (${reason}), so the command did not run.`,
        hint: 'Try again once the user is available, or use a command the policy allows.',
      },
    };
  }
  if (answer.action === 'accept' && answer.content?.allow === true) {
    return { approved: true, remember: answer.content.remember === true };
  }
  const how =
    answer.action === 'cancel' ? 'dismissed the approval question without answering' : 'declined to allow it';
  return {
    approved: false,
    error: {
      code: 'approval_declined',
      message: `The user ${how}, so ${command} did not run.`,
      hint: 'Do not retry the same command; reach the goal another way or ask the user what they want.',
    },
  };
}
