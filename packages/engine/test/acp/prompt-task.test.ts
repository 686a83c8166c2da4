import { describe, expect, it } from 'vitest';
import { promptTask } from '../../src/acp/prompt-task.js';

describe('promptTask', () => {
  it('keeps the text and names linked files by URI', () => {
    expect(
      promptTask([
        { type: 'text', text: 'fix the bug in' },
        { type: 'resource_link', uri: 'file:///repo/src/add.js', name: 'add.js' },
      ]),
    ).toBe('fix the bug in (see file:///repo/src/add.js)');
  });

  it('names an embedded resource by URI without inlining its text', () => {
    const task = promptTask([
      { type: 'text', text: 'explain' },
      { type: 'resource', resource: { uri: 'file:///repo/a.ts', text: 'secret = 1' } },
    ]);
    expect(task).toBe('explain (see file:///repo/a.ts)');
  });

  it('says an image was omitted rather than dropping it silently', () => {
    expect(promptTask([{ type: 'image', data: 'AAAA', mimeType: 'image/png' }])).toBe(
      '(an image was attached and omitted: Herd reads text only)',
    );
  });
});
