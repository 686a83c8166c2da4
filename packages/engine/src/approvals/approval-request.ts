import { interrupt } from '@langchain/langgraph';
import { z } from 'zod';

/** What a person is asked to decide. */
export const ApprovalRequestSchema = z.object({
  /** Stable id; the same question asked again after a resume has the same id. */
  requestId: z.string().min(1),
  kind: z.enum(['plan', 'write', 'command', 'deviation', 'guard']),
  /** One line, e.g. "Run `npm install left-pad`?". */
  title: z.string(),
  /** Why Herd asks, and what happens on each answer. */
  detail: z.string().optional(),
  /** Answers for "allow always" are remembered under this key for the rest of the session. */
  rememberKey: z.string().optional(),
  /**
   * Set when the command asked about would run without the sandbox: why, and what it could reach. Every way of
   * asking shows it (the title also says `UNSANDBOXED`).
   */
  unsandboxed: z.string().optional(),
});
/** What a person is asked to decide. */
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/** A person's answer. */
export const ApprovalDecisionSchema = z.enum(['allow_once', 'allow_always', 'reject']);
/** A person's answer. */
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** Approvals a session has already granted "always". */
export interface ApprovalMemory {
  has(key: string): boolean;
  add(key: string): void;
}

/**
 * Pauses the run until a person answers (a LangGraph interrupt: the run is checkpointed and can be resumed by
 * another process), unless the answer "allow always" was already given for the same key in this session.
 * Must be called from inside a graph node or agent middleware.
 */
export function askForApproval(options: {
  request: ApprovalRequest;
  memory: ApprovalMemory;
}): ApprovalDecision {
  const { request, memory } = options;
  if (request.rememberKey && memory.has(request.rememberKey)) return 'allow_always';
  const answer = ApprovalDecisionSchema.safeParse(interrupt(request));
  // An answer that is not a decision (a mistaken resume value) is treated as a refusal, never as consent.
  const decision = answer.success ? answer.data : 'reject';
  if (decision === 'allow_always' && request.rememberKey) memory.add(request.rememberKey);
  return decision;
}
