import { isGraphInterrupt } from '@langchain/langgraph';
import type { RunContext } from '../run-context.js';

// The diffs already reported, by checkpoint and path, per run: a step that paused for approval and then finished
// reports each change once, not again at its end.
const reported = new WeakMap<RunContext, Map<string, string>>();

/** Emits a `file-change` event with a unified diff for every file that changed since a checkpoint. */
export async function reportStepChanges(input: {
  context: RunContext;
  since: string | undefined;
}): Promise<void> {
  const store = input.context.tools.checkpoints;
  if (!store || !input.since) return;
  const changes = await store.changes({ since: input.since });
  let seen = reported.get(input.context);
  if (!seen) {
    seen = new Map();
    reported.set(input.context, seen);
  }
  for (const change of changes) {
    const key = `${input.since}\u0000${change.path}`;
    if (seen.get(key) === change.diff) continue;
    seen.set(key, change.diff);
    input.context.emit({ type: 'file-change', path: change.path, change: change.change, diff: change.diff });
  }
}

/**
 * Runs a step's work and reports its file changes when it pauses for a person's approval, not only when it ends:
 * a run that stops there (`awaiting_approval`) has already changed files, and the front doors should show them.
 */
export async function reportingChangesOnPause<TResult>(input: {
  context: RunContext;
  since: string | undefined;
  work: () => Promise<TResult>;
}): Promise<TResult> {
  try {
    return await input.work();
  } catch (error) {
    if (isGraphInterrupt(error)) await reportStepChanges({ context: input.context, since: input.since });
    throw error;
  }
}
