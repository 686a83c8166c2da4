import { describe, expect, it } from 'vitest';
import { followSignal } from '../../src/herd/follow-signal.js';

describe('followSignal', () => {
  it("aborts with the caller's reason, also when the caller had already aborted", () => {
    const caller = new AbortController();
    const signal = followSignal(caller.signal);
    caller.abort(new Error('stop'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('stop');
    expect(followSignal(caller.signal).aborted).toBe(true);
  });

  it('takes many listeners, one per tool call running at once, without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const signal = followSignal(new AbortController().signal);
    for (let call = 0; call < 50; call += 1) signal.addEventListener('abort', () => {});
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('stops following once the run is over', () => {
    const caller = new AbortController();
    const signal = followSignal(caller.signal);
    signal.stop();
    caller.abort();
    expect(signal.aborted).toBe(false);
  });
});
