import type { RunContext } from '../run-context.js';

/** Emits a `file-change` event with a unified diff for every file that changed since a checkpoint. */
export async function reportStepChanges(input: {
  context: RunContext;
  since: string | undefined;
}): Promise<void> {
  const store = input.context.tools.checkpoints;
  if (!store || !input.since) return;
  const changes = await store.changes({ since: input.since });
  for (const change of changes) {
    input.context.emit({ type: 'file-change', path: change.path, change: change.change, diff: change.diff });
  }
}
