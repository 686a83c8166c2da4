import { createSecretsRedactor } from '@herd/guard/secrets';
import { describe, expect, it } from 'vitest';
import { createEventChannel } from '../../src/events/event-channel.js';

const key = 'sk-herd-canary-stream-0123456789abcdef';
const redactor = createSecretsRedactor({ env: { TOGETHER_API_KEY: key } });

/** Splits text into pieces of `size` characters, as a streaming server sends deltas. */
const pieces = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
    text.slice(index * size, (index + 1) * size),
  );

describe('createEventChannel', () => {
  it('redacts secrets in every event, including nested strings', () => {
    const channel = createEventChannel({ runId: 'run-1', redactor });
    channel.emit({ type: 'run-start', task: `use ${key}`, mode: 'plan', workspace: '/w' });
    expect(JSON.stringify(channel.history)).not.toContain(key);
    expect(channel.history[0]).toMatchObject({ task: 'use [redacted:TOGETHER_API_KEY]' });
  });

  it.each([1, 3, 8])(
    'never releases part of a key that streamed model text splits into pieces of %i characters',
    (size) => {
      const channel = createEventChannel({ runId: 'run-1', redactor });
      const reply = `Done. The key was ${key}, and secretAccessKey: "Hq7v2Rk9Lm3Np8Xz4Tb6Wd1Fg5Jc0Ys2Ue7Ia9Ok" too.`;
      for (const piece of pieces(reply, size)) {
        channel.emit({ type: 'model-text', role: 'actor', text: piece });
        // The stream guard's verdicts come between windows without ending the reply.
        channel.emit({
          type: 'guard-verdict',
          point: 'model_output',
          scanner: 'secrets',
          action: 'allow',
          categories: [],
        });
      }
      channel.emit({ type: 'warning', code: 'example', message: 'the reply ended' });
      channel.close();

      const texts = channel.history.flatMap((event) => (event.type === 'model-text' ? [event.text] : []));
      expect(texts.join('')).toBe(
        'Done. The key was [redacted:TOGETHER_API_KEY], and secretAccessKey: "[redacted:aws]" too.',
      );
      for (const text of texts) {
        expect(text).not.toContain(key.slice(0, 12));
        expect(text).not.toContain('Ue7Ia9Ok');
      }
      // All of the reply's text comes before the event that followed it.
      const last = channel.history.findLastIndex((event) => event.type === 'model-text');
      expect(last).toBeLessThan(channel.history.findIndex((event) => event.type === 'warning'));
    },
  );
});
