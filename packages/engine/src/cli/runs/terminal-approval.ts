import { createInterface } from 'node:readline/promises';
import { visibleText } from '@herd/core';
import type { ApprovalDecision, ApprovalRequest } from '../../approvals/approval-request.js';
import type { ApprovalResolver } from '../../herd/drive-run.js';

/**
 * Asks approval questions at the terminal when both ends are a TTY; otherwise leaves them pending (the run then
 * stops and `herd resume <session>` asks again). Ctrl-C at a question leaves it pending and calls `onInterrupt`:
 * the terminal is in raw mode while it asks, so the key reaches readline, not the process's SIGINT handler. When
 * `signal` fires (SIGTERM, or SIGINT from outside the terminal) the open question is closed and left pending too.
 */
export function terminalApproval(
  options: {
    input?: NodeJS.ReadStream;
    output?: NodeJS.WriteStream;
    onInterrupt?: () => void;
    /** The run's signal: a question open when it fires is closed, unanswered. */
    signal?: AbortSignal;
  } = {},
): ApprovalResolver {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  return async (request: ApprovalRequest): Promise<ApprovalDecision | undefined> => {
    if (!input.isTTY || !output.isTTY || options.signal?.aborted) return undefined;
    // Everything shown is escaped: a model's words (an argv, a plan title) could otherwise carry terminal escapes
    // that erase or rewrite the question a person is answering.
    if (request.detail && request.kind !== 'plan')
      output.write(`${visibleText(request.detail, { keepNewlines: true })}\n`);
    if (request.unsandboxed) output.write(`UNSANDBOXED: ${visibleText(request.unsandboxed)}.\n`);
    const readline = createInterface({ input, output });
    try {
      for (;;) {
        const answer = (
          await readline.question(
            `${visibleText(request.title)} [y]es / [a]lways / [n]o: `,
            options.signal ? { signal: options.signal } : {},
          )
        )
          .trim()
          .toLowerCase();
        if (answer === 'y' || answer === 'yes') return 'allow_once';
        if (answer === 'a' || answer === 'always') return 'allow_always';
        if (answer === 'n' || answer === 'no') return 'reject';
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
      // Ctrl-C at the prompt aborts the question from inside; the run's signal may already have fired from outside.
      if (!options.signal?.aborted) options.onInterrupt?.();
      return undefined;
    } finally {
      readline.close();
    }
  };
}
