import { createO200kTokenCounter } from '@herd/core';
import type { StepFileContent } from './actor-prompt.js';
import { cutToTokens } from './conversation-tokens.js';

/** Share of the actor's window the current contents of a step's files may take in its first message. */
export const stepFilesShare = 0.35;

const estimate = createO200kTokenCounter({ mode: 'estimate' });

/**
 * The step's files as they go into the actor's first message, within `budget` tokens all together: small files
 * whole, and what does not fit cut at a line end with a note saying which lines are shown and how to read the
 * rest (read_file with startLine/endLine). Smaller files are served first, so one huge file does not crowd out
 * the others.
 */
export function fitStepFiles(input: {
  files: readonly StepFileContent[];
  budget: number;
}): StepFileContent[] {
  const sizes = input.files.map((file) => (file.content === undefined ? 0 : estimate.count(file.content)));
  const order = input.files.map((_file, index) => index).sort((left, right) => sizes[left]! - sizes[right]!);
  const fitted = [...input.files];
  let left = Math.max(0, input.budget);
  let remaining = order.filter((index) => input.files[index]!.content !== undefined).length;
  for (const index of order) {
    const file = input.files[index]!;
    if (file.content === undefined) continue;
    const share = Math.floor(left / Math.max(1, remaining));
    remaining -= 1;
    if (sizes[index]! <= share) {
      left -= sizes[index]!;
      continue;
    }
    const cut = cutToTokens({ text: file.content, maxTokens: share, count: (text) => estimate.count(text) });
    const totalLines = file.content.split('\n').length - (file.content.endsWith('\n') ? 1 : 0);
    const shownLines = cut.text.split('\n').length - (cut.text.endsWith('\n') ? 1 : 0);
    left -= estimate.count(cut.text);
    fitted[index] = {
      ...file,
      content: `${cut.text}${cut.text.endsWith('\n') || cut.text === '' ? '' : '\n'}[Herd shows lines 1-${shownLines} of ${totalLines}: the whole file does not fit the model's window. Read the rest in parts with read_file (startLine=${shownLines + 1}, endLine=...), or search for what you need.]`,
    };
  }
  return fitted;
}
