import type { HerdEventInput } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { createModelTextStreamer } from '../../src/actor/model-text-streamer.js';
import { withholdCallText } from '../../src/actor/withhold-call-text.js';

/** A streamer whose guard is the call-text holder the actor uses, and the text it released. */
function streamer() {
  const events: HerdEventInput[] = [];
  const created = createModelTextStreamer({
    role: 'actor',
    guard: (source) => withholdCallText(source, { toolNames: ['edit_file'] }),
    emit: (event) => events.push(event),
  });
  const released = () =>
    events
      .map((event) => (event.type === 'model-text' ? event.text : ''))
      .join('')
      .trim();
  return { ...created, released };
}

const tokens = ['I will fix it. ', '[edit_file(', 'path="src/add.js", ', 'content="left +'];

describe('createModelTextStreamer', () => {
  it('releases the words of a call that ended, and an unfinished call as the text it was', async () => {
    const { handler, drained, released } = streamer();
    for (const token of tokens) handler.handleLLMNewToken?.(token, { prompt: 0, completion: 0 }, 'call-1');
    handler.handleLLMEnd?.({ generations: [] }, 'call-1');
    await drained();
    expect(released()).toBe(tokens.join('').trim());
  });

  // A host that dropped the connection half-way through a written tool call: the call is retried or falls back,
  // and the half call must not reach the editor or the terminal as if the agent had said it.
  it('drops what it held back when the model call fails mid-call, keeping what was already released', async () => {
    const { handler, drained, released } = streamer();
    for (const token of tokens) handler.handleLLMNewToken?.(token, { prompt: 0, completion: 0 }, 'call-1');
    handler.handleLLMError?.(new Error('socket hang up'), 'call-1');
    await drained();
    expect(released()).toBe('I will fix it.');
  });
});
