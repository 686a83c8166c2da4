import { type HerdEventInput, HerdEventSchema } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { createUsageMeter } from '../../src/run/usage-meter.js';
import { parseRunSettings } from '../../src/settings/run-settings.js';

const stamp = (input: HerdEventInput) =>
  HerdEventSchema.parse({ ...input, runId: 'run-1', time: '2026-01-01T00:00:00.000Z' });

const guardCall = (inputTokens: number): HerdEventInput => ({
  type: 'model-call',
  role: 'llamaGuard',
  provider: 'together',
  model: 'meta-llama/Llama-Guard-4-12B',
  usage: { inputTokens, outputTokens: 1, totalTokens: inputTokens + 1 },
  latencyMs: 120,
  outcome: 'ok',
});

describe('the usage meter and Llama Guard calls', () => {
  it('counts guard calls against the model-call limit', () => {
    const meter = createUsageMeter({ settings: parseRunSettings({ limits: { modelCalls: 3 } }) });
    meter.observe(stamp(guardCall(100)));
    meter.observe(stamp(guardCall(100)));
    expect(() => meter.check()).not.toThrow();
    meter.observe(stamp(guardCall(100)));
    expect(() => meter.check()).toThrow(expect.objectContaining({ code: 'limit_exceeded' }));
    expect(meter.usage().llamaGuard).toEqual({ inputTokens: 300, outputTokens: 3, totalTokens: 303 });
  });

  it('prices guard calls with run.prices.llamaGuard against costUsd', () => {
    const meter = createUsageMeter({
      settings: parseRunSettings({
        limits: { costUsd: 0.01 },
        prices: { llamaGuard: { inputPerMillion: 0.2, outputPerMillion: 0.2 } },
      }),
    });
    meter.observe(stamp(guardCall(40_000)));
    expect(meter.costUsd()).toBeCloseTo(0.0080002, 6);
    expect(() => meter.check()).not.toThrow();
    meter.observe(stamp(guardCall(20_000)));
    expect(() => meter.check()).toThrow(expect.objectContaining({ code: 'limit_exceeded' }));
  });
});
