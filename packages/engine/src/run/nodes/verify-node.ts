import { createHash } from 'node:crypto';
import { formatCommandLine, type PlanCommand } from '@herd/core';
import { askForApproval } from '../../approvals/approval-request.js';
import { commandApprovalKey } from '../../approvals/command-approval-key.js';
import type { RunContext } from '../run-context.js';
import type { RunStateUpdate, RunStateValue } from '../run-state.js';

// Enough of a failing command's output for the actor to fix it, small enough to keep its prompt lean.
const reportTailCharacters = 6_000;

/** The commands that verify a run: the plan's, else the configured test command. */
export function verificationCommands(context: RunContext, state: RunStateValue): PlanCommand[] {
  const fromPlan = state.plan?.verification ?? [];
  if (fromPlan.length > 0) return fromPlan;
  return context.settings.testCommand ? [context.settings.testCommand] : [];
}

/**
 * The verification node: runs the verification commands through `run_command` (sandboxed where the OS allows)
 * and records whether they all passed, with their output for the actor's fix attempts and the report.
 */
export function verifyNode(context: RunContext) {
  return async (state: RunStateValue): Promise<RunStateUpdate> => {
    context.meter.check();
    const commands = verificationCommands(context, state);
    if (commands.length === 0) {
      context.emit({
        type: 'warning',
        code: 'no_verification',
        message:
          'The plan names no verification command and run.testCommand is not set; the change is not verified.',
      });
      return { verification: { passed: true, skipped: true, report: 'no verification command' } };
    }
    const sections: string[] = [];
    let passed = true;
    const refused: string[] = [];
    for (const argv of commands) {
      // A command is approved when a person approved the plan that names it, or when it is the configured test
      // command (the repository's own configuration); otherwise the command policy decides, and `ask` in CI blocks.
      const approved = state.approvedBy === 'user' || sameCommand(argv, context.settings.testCommand);
      const run = (asApproved: boolean) =>
        context.tools.dispatcher.dispatch(
          { name: 'run_command', arguments: { argv } },
          { approved: asApproved, ...(context.signal ? { signal: context.signal } : {}) },
        );
      let result = await run(approved);
      if (result.approval) {
        const allowed =
          context.interactive &&
          askForApproval({
            memory: context.memory,
            request: {
              requestId: `verify-${createHash('sha256').update(argv.join('\0')).digest('hex').slice(0, 16)}`,
              kind: 'command',
              title: `Run the verification command \`${formatCommandLine(argv)}\`${result.approval.unsandboxed ? ' UNSANDBOXED' : ''}?`,
              detail: result.approval.reason,
              rememberKey: commandApprovalKey({ argv }),
              ...(result.approval.unsandboxed ? { unsandboxed: result.approval.unsandboxed } : {}),
            },
          }) !== 'reject';
        if (allowed) result = await run(true);
        else {
          refused.push(argv.join(' '));
          // Reported like an actor's refused command, so report.json and summary.md list it.
          const callId = `verify-${createHash('sha256').update(argv.join('\0')).digest('hex').slice(0, 16)}`;
          context.emit({ type: 'tool-call', callId, name: 'run_command', arguments: { argv } });
          context.emit({
            type: 'tool-result',
            callId,
            name: 'run_command',
            ok: false,
            content: `Not run: \`${argv.join(' ')}\` needs a person's approval (${result.approval.reason}), and nobody approved it.`,
            errorCode: 'approval_required',
          });
        }
      }
      const ok = result.ok && (result.data as { exitCode?: number } | undefined)?.exitCode === 0;
      passed &&= ok;
      sections.push(
        `$ ${argv.join(' ')}  (${ok ? 'passed' : 'FAILED'})\n${result.content.slice(-reportTailCharacters)}`,
      );
    }
    const report = sections.join('\n\n');
    context.emit({
      type: 'verification-finish',
      passed,
      commands,
      output: report.slice(-reportTailCharacters),
    });
    if (refused.length > 0) {
      return {
        verification: { passed: false, report },
        status: 'blocked',
        reason: `the command policy asks before running ${refused.map((command) => `\`${command}\``).join(', ')} and nobody approved it; allow it in tools.commands.rules or set it as run.testCommand`,
      };
    }
    return { verification: { passed, report } };
  };
}

function sameCommand(argv: readonly string[], other: readonly string[] | undefined): boolean {
  return (
    other !== undefined && argv.length === other.length && argv.every((part, index) => part === other[index])
  );
}
