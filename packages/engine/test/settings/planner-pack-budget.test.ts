import { ConfigError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { plannerPackBudget } from '../../src/settings/planner-pack-budget.js';

describe('plannerPackBudget', () => {
  it("gives the repository the planner's window less the output reserve and the prompt, with a margin", () => {
    expect(plannerPackBudget({ contextWindow: 131_072, outputReserve: 8_192, promptTokens: 2_880 })).toBe(
      114_000,
    );
  });

  it('refuses a reserve that leaves no room, naming both settings and the fix', () => {
    const attempt = () => plannerPackBudget({ contextWindow: 131_072, outputReserve: 500_000 });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      "run.outputReserve (500000) leaves no room for the repository in the planner's 131072-token window (with a 2000-token prompt); lower run.outputReserve or raise roles.planner.contextWindow.",
    );
  });
});
