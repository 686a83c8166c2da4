import type * as acp from '@agentclientprotocol/sdk';
import type { ApprovalDecision, ApprovalRequest } from '../approvals/approval-request.js';

/** The options every Herd question offers in the editor, one per {@link ApprovalDecision}. */
export const approvalPermissionOptions: acp.PermissionOption[] = [
  { optionId: 'allow_once', name: 'Allow once', kind: 'allow_once' },
  { optionId: 'allow_always', name: 'Allow always in this session', kind: 'allow_always' },
  { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
];

const toolKindOf: Record<ApprovalRequest['kind'], acp.ToolKind> = {
  plan: 'think',
  write: 'edit',
  command: 'execute',
  deviation: 'other',
  guard: 'other',
};

/** A question as ACP shows it: a pending tool call, and the answers offered. */
export interface PermissionQuestion {
  toolCall: acp.ToolCall;
  options: acp.PermissionOption[];
}

/**
 * Builds the question for a Herd approval request: a pending tool call whose content is the request's detail
 * (for a plan, the plan as Markdown), preceded by the warning when the command would run unsandboxed, with allow
 * once / allow always / reject.
 */
export function approvalPermissionQuestion(request: ApprovalRequest): PermissionQuestion {
  // The warning comes first: an editor may show only the start of a long detail.
  const texts = [
    ...(request.unsandboxed ? [`UNSANDBOXED: ${request.unsandboxed}.`] : []),
    ...(request.detail ? [request.detail] : []),
  ];
  return {
    toolCall: {
      toolCallId: `approval-${request.requestId}`,
      title: request.title,
      kind: toolKindOf[request.kind],
      status: 'pending',
      ...(texts.length > 0
        ? { content: texts.map((text) => ({ type: 'content', content: { type: 'text', text } })) }
        : {}),
      rawInput: { kind: request.kind, requestId: request.requestId },
    },
    options: approvalPermissionOptions,
  };
}

/**
 * Reads the person's answer. A cancelled request (the prompt was cancelled) is no answer: the run stops and the
 * question stays pending. An option id this agent did not offer counts as a refusal, never as consent.
 */
export function decisionOfPermission(response: acp.RequestPermissionResponse): ApprovalDecision | undefined {
  if (response.outcome.outcome === 'cancelled') return undefined;
  const chosen = response.outcome.optionId;
  return chosen === 'allow_once' || chosen === 'allow_always' ? chosen : 'reject';
}
