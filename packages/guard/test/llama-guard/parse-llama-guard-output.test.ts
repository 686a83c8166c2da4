import { describe, expect, it } from 'vitest';
import { parseLlamaGuardOutput } from '../../src/llama-guard/parse-llama-guard-output.js';

describe('parseLlamaGuardOutput', () => {
  it('reads safe', () => {
    expect(parseLlamaGuardOutput('safe')).toEqual({ safe: true, codes: [] });
    expect(parseLlamaGuardOutput('\n safe \n')).toEqual({ safe: true, codes: [] });
  });

  it('reads unsafe with comma-separated codes on the next line', () => {
    expect(parseLlamaGuardOutput('unsafe\nS1,S9, S14')).toEqual({ safe: false, codes: ['S1', 'S9', 'S14'] });
  });

  it('reads unsafe with the codes on the same line', () => {
    expect(parseLlamaGuardOutput('unsafe S2')).toEqual({ safe: false, codes: ['S2'] });
  });

  it('refuses anything else, keeping the raw output', () => {
    for (const output of ['I cannot help with that.', 'unsafe\nS15', 'safe-ish', '']) {
      expect(() => parseLlamaGuardOutput(output)).toThrow(
        expect.objectContaining({ code: 'llama_guard_unparseable', output }),
      );
    }
  });
});
