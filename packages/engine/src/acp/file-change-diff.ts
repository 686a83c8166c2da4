import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import type { HerdEventOf } from '@herd/core';
import { applyPatch, parsePatch, reversePatch, type StructuredPatch } from 'diff';

/**
 * Turns a `file-change` event (a unified diff) into ACP diff content, which carries whole texts. While the run
 * is live the file on disk is the new text and the old one is the diff applied backwards; when that is not
 * possible (a replayed session whose file changed since, or `live` false) the texts are the changed regions
 * only, hunk by hunk. Returns `undefined` for a diff without hunks (a binary file).
 */
export function fileChangeDiff(options: {
  workspace: string;
  event: Pick<HerdEventOf<'file-change'>, 'path' | 'change' | 'diff'>;
  live: boolean;
}): (acp.Diff & { type: 'diff' }) | undefined {
  const { event } = options;
  const path = resolve(options.workspace, event.path);
  const patch = parsePatch(event.diff)[0];
  if (!patch || patch.hunks.length === 0) return undefined;
  const fragments = hunkTexts(patch);
  if (event.change === 'create') return { type: 'diff', path, oldText: null, newText: fragments.newText };
  if (event.change === 'delete') return { type: 'diff', path, oldText: fragments.oldText, newText: '' };
  if (options.live && existsSync(path)) {
    const current = readFileSync(path, 'utf8');
    const original = applyPatch(current, reversePatch(patch));
    if (original !== false) return { type: 'diff', path, oldText: original, newText: current };
  }
  return { type: 'diff', path, ...fragments };
}

function hunkTexts(patch: StructuredPatch): { oldText: string; newText: string } {
  const oldParts: string[] = [];
  const newParts: string[] = [];
  for (const hunk of patch.hunks) {
    const oldLines: string[] = [];
    const newLines: string[] = [];
    for (const line of hunk.lines) {
      const marker = line[0];
      const text = line.slice(1);
      if (marker === ' ' || marker === '-') oldLines.push(text);
      if (marker === ' ' || marker === '+') newLines.push(text);
    }
    oldParts.push(oldLines.join('\n'));
    newParts.push(newLines.join('\n'));
  }
  return { oldText: `${oldParts.join('\n…\n')}\n`, newText: `${newParts.join('\n…\n')}\n` };
}
