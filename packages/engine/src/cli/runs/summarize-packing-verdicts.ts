import type { HerdEvent } from '@herd/core';

type GuardVerdictEvent = Extract<HerdEvent, { type: 'guard-verdict' }>;

/** How many file names a summary line shows before "and N more". */
const namesShown = 3;

/**
 * One line for the guard's verdicts on repository files while packing: how many files were left out of the pack
 * (blocked) and how many were packed with a warning, naming the first few, and where the findings are
 * (`herd guard log`). A file judged by several scanners, or reported again after the pack, counts once, by its
 * worst verdict. `undefined` when there is nothing to say.
 */
export function summarizePackingVerdicts(verdicts: readonly GuardVerdictEvent[]): string | undefined {
  const worst = new Map<string, GuardVerdictEvent['action']>();
  for (const verdict of verdicts) {
    if (verdict.action === 'allow' || verdict.source === undefined) continue;
    if (worst.get(verdict.source) !== 'block') worst.set(verdict.source, verdict.action);
  }
  if (worst.size === 0) return undefined;
  // Sorted: scanners judge files concurrently, so the order they finish in says nothing.
  const files = [...worst.keys()].sort();
  const blocked = files.filter((file) => worst.get(file) === 'block');
  const flagged = files.filter((file) => worst.get(file) !== 'block');
  const parts = [
    ...(blocked.length > 0 ? [`${count(blocked.length)} left out of the pack (${names(blocked)})`] : []),
    ...(flagged.length > 0 ? [`${count(flagged.length)} packed with a warning (${names(flagged)})`] : []),
  ];
  return `  ⚠ guard: ${parts.join('; ')}; \`herd guard log\` shows the findings`;
}

function count(files: number): string {
  return files === 1 ? '1 repository file' : `${files} repository files`;
}

function names(files: readonly string[]): string {
  const shown = files.slice(0, namesShown).join(', ');
  return files.length > namesShown ? `${shown} and ${files.length - namesShown} more` : shown;
}
