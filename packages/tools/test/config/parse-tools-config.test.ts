import { describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/parse-tools-config.js';

describe('parseToolsConfig', () => {
  it('applies every default to an empty or missing section', () => {
    const config = parseToolsConfig(undefined);
    expect(config.commands).toMatchObject({ defaultDecision: 'ask', allowShell: false, timeoutMs: 120_000 });
    expect(config.sandbox).toEqual({ mode: 'auto', network: false });
    expect(config.jail).toEqual({ deny: [], defaultDeny: true });
  });

  it('names the exact path of an invalid value', () => {
    expect(() =>
      parseToolsConfig({ commands: { rules: [{ program: 'git', decision: 'maybe' }] } }, 'herd.config.json'),
    ).toThrow(/tools\.commands\.rules\.0\.decision/);
    expect(() => parseToolsConfig({ sandbx: {} })).toThrow(/tools/);
  });
});
