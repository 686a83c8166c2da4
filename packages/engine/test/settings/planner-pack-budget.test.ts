import { ConfigError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { plannerOutputReserve, plannerPackBudget } from '../../src/settings/planner-pack-budget.js';

describe('plannerPackBudget', () => {
  it("gives the repository the planner's window less the output reserve and the prompt, with a margin", () => {
    expect(plannerPackBudget({ contextWindow: 131_072, outputReserve: 8_192, promptTokens: 2_880 })).toBe(
      114_000,
    );
  });

  it('refuses a reserve that leaves no room, naming the setting, the window and the fix', () => {
    const attempt = () => plannerPackBudget({ contextWindow: 131_072, outputReserve: 500_000 });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      "run.outputReserve (500000) leaves no room for the repository in the planner's 131072-token window (with a 2000-token prompt); serve a larger window (Ollama: OLLAMA_CONTEXT_LENGTH, llama.cpp: -c, vLLM: --max-model-len) and tell Herd with HERD_CONTEXT_WINDOW or roles.planner.contextWindow, or lower run.outputReserve.",
    );
  });

  it('scales the default reserve to a small window, so an 8K local model still has room to read', () => {
    // Before, the 8,192-token default reserve filled the whole 8,192-token window of the ollama and llama-cpp presets.
    expect(plannerOutputReserve({ contextWindow: 8_192, maxOutputTokens: 2_048 })).toBe(2_048);
    expect(plannerOutputReserve({ contextWindow: 131_072, maxOutputTokens: 16_384 })).toBe(8_192);
    expect(plannerPackBudget({ contextWindow: 8_192, maxOutputTokens: 2_048, promptTokens: 2_500 })).toBe(
      3_461,
    );
  });

  it('names the server settings when even a small reserve leaves no room', () => {
    expect(() => plannerPackBudget({ contextWindow: 2_048, promptTokens: 2_000 })).toThrow(
      /serve a larger window \(Ollama: OLLAMA_CONTEXT_LENGTH, llama\.cpp: -c, vLLM: --max-model-len\) and tell Herd with HERD_CONTEXT_WINDOW/,
    );
  });
});
