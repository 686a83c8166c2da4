import type { ApprovalRequest } from '../errors/approval-required-error.js';

/** Why a tool call failed, phrased so the model can correct itself. */
export interface ToolResultError {
  /** Stable code, e.g. `invalid_arguments`, `unknown_tool`, `path_denied_deny_glob`, `approval_required`. */
  code: string;
  /** One sentence: what was wrong and what to send instead. */
  message: string;
  /** A short suggestion, e.g. an example of valid arguments. */
  hint?: string;
}

/** The outcome of one dispatched tool call. Never thrown: failures are results with `ok: false`. */
export interface ToolResult {
  /** True when the tool ran and succeeded. */
  ok: boolean;
  /** The tool name as called. */
  name: string;
  /** The call id, when the call had one. */
  callId?: string;
  /** Text for the model: the output, or the error message with its hint. */
  content: string;
  /** Structured output of the tool, when it returned some. */
  data?: unknown;
  /** Why it failed. */
  error?: ToolResultError;
  /** Set when the command policy asks for a person's approval; dispatch again with `approved: true` once given. */
  approval?: ApprovalRequest;
  /** The checkpoint taken before a write or exec tool ran; pass it to `restore` to undo. */
  checkpointId?: string;
  /** Wall-clock time of the call in milliseconds. */
  durationMs: number;
}
