import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { herdConfigJsonSchema } from '@herd/engine';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const publishedPath = fileURLToPath(new URL('../../schema/herd-config.schema.json', import.meta.url));

/** The README's example configuration. */
const example = {
  provider: 'together',
  providers: {
    vllm: {
      baseUrl: 'http://gpu-box:8000/v1',
      limits: { default: { contextWindow: 1000000, maxOutputTokens: 8192 } },
    },
  },
  roles: {
    planner: { temperature: 0.2, fallbacks: [{ provider: 'openrouter', model: 'meta-llama/llama-4-scout' }] },
    actor: { provider: 'vllm', retries: 3 },
    guard: {
      promptGuard: { modelPath: './models/prompt-guard-2-86m' },
      llamaGuard: { provider: 'openrouter' },
    },
  },
  policy: 'balanced',
  tools: { commands: { rules: [{ program: 'npm', args: ['test'], decision: 'allow' }] } },
  run: { testCommand: ['npm', 'test'], maxFixAttempts: 3, limits: { modelCalls: 200, costUsd: 5 } },
};

function validator() {
  // Formats (uri) are left to Herd's own check; the schema is for editors' completion and shape checks.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(JSON.parse(readFileSync(publishedPath, 'utf8')));
}

describe('the published JSON Schema of herd.config.json', () => {
  it('is the committed file, generated from the zod schemas', () => {
    const committed: unknown = JSON.parse(readFileSync(publishedPath, 'utf8'));
    expect(
      committed,
      'schema/herd-config.schema.json is stale: run `npx tsc -b && node packages/engine/scripts/write-herd-config-schema.mjs`',
    ).toEqual(herdConfigJsonSchema());
  });

  it("accepts the README's example and a policy that extends a preset", () => {
    const validate = validator();
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ policy: { extends: 'strict', blockOutcome: 'replace' } })).toBe(true);
  });

  it('rejects what Herd rejects: a quoted number, an unknown key in any section, an unknown preset', () => {
    const validate = validator();
    expect(validate({ roles: { planner: { contextWindow: '128k' } } })).toBe(false);
    expect(validate({ tools: { comands: {} } })).toBe(false);
    expect(validate({ run: { maxFixAttempts: 11 } })).toBe(false);
    expect(validate({ policy: 'paranoid' })).toBe(false);
    expect(validate({ extra: true })).toBe(false);
  });
});
