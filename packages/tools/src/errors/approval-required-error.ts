import { formatCommandLine, GuardError } from '@herd/core';

/** What a person is asked to approve before a tool may go on. */
export interface ApprovalRequest {
  /** What kind of action waits for approval. */
  kind: 'command';
  /** The tool that asked. */
  tool: string;
  /** The argv that would run. Show it with `formatCommandLine`, never joined raw: arguments can hold escapes. */
  argv: readonly string[];
  /** The working directory, relative to the workspace, when it is not the workspace root. */
  cwd?: string;
  /** What the command would get on standard input (`node` and `sh` run a script given there). Show it. */
  stdin?: string;
  /** The policy rule that asked, as `program args`, or `default` when no rule matched. */
  rule: string;
  /** Why the policy asks. */
  reason: string;
  /**
   * Set when the command would run without the bubblewrap sandbox: why, and what it could then reach. Every
   * question built from this request must show it.
   */
  unsandboxed?: string;
}

/**
 * The command policy answered `ask`: the action needs a person's approval. The dispatcher turns this into a result
 * with `approval` set; dispatch again with `approved: true` once a person agreed.
 */
export class ApprovalRequiredError extends GuardError {
  /** The approval to request. */
  readonly request: ApprovalRequest;

  constructor(request: ApprovalRequest) {
    super({
      code: 'approval_required',
      message: `Running \`${formatCommandLine(request.argv)}\`${request.cwd ? ` in ${request.cwd}` : ''}${request.stdin !== undefined ? ` with ${Buffer.byteLength(request.stdin)} bytes on standard input` : ''} needs a person's approval (${request.reason}).${request.unsandboxed ? ` It would run UNSANDBOXED: ${request.unsandboxed}.` : ''}`,
      hint: 'Wait for approval, or use a command the policy allows.',
      point: 'tool_call',
      scanner: 'command_policy',
      categories: [request.rule],
    });
    this.request = request;
  }
}
