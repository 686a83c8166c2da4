import type { PlanCommand } from '@herd/core';
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
      return { verification: { passed: true, report: 'no verification command' } };
    }
    const sections: string[] = [];
    let passed = true;
    for (const argv of commands) {
      const result = await context.tools.dispatcher.dispatch(
        { name: 'run_command', arguments: { argv } },
        { approved: true, ...(context.signal ? { signal: context.signal } : {}) },
      );
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
    return { verification: { passed, report } };
  };
}
