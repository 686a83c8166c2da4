import { createGuard, type Guard } from '@herd/guard';
import { describe, expect, it } from 'vitest';
import { createRunGuard } from '../../src/run/create-run-guard.js';

const githubToken = `ghp_${'a1B2c3D4e5'.repeat(3)}123456`;

function runGuardOver(guard: Guard) {
  return createRunGuard({
    guard,
    mode: 'act',
    interactive: false,
    memory: { has: () => false, add: () => {} },
    emit: () => {},
  });
}

describe('createRunGuard: repository content', () => {
  it('scans the files the packer offers together in one guard call, each with its own verdict', async () => {
    const guard = createGuard({ policy: 'balanced', env: {} });
    const batches: number[] = [];
    const counting: Guard = {
      ...guard,
      scanMany: (requests) => {
        batches.push(requests.length);
        return guard.scanMany(requests);
      },
    };
    const scanner = runGuardOver(counting).contentScanner;
    const files = Array.from({ length: 8 }, (_, index) => ({
      path: `src/file-${index}.ts`,
      content: index === 5 ? `export const token = '${githubToken}';\n` : `export const value = ${index};\n`,
    }));
    const verdicts = await Promise.all(files.map((file) => scanner?.(file)));
    expect(batches).toEqual([8]);
    expect(verdicts.map((verdict) => verdict?.redactions.length)).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(verdicts[5]?.redactions[0]).toMatchObject({ line: 1, text: githubToken });
  });

  it('fails every file of a batch whose scan fails, so none passes unchecked', async () => {
    const guard = createGuard({ policy: 'balanced', env: {} });
    const failing: Guard = { ...guard, scanMany: async () => Promise.reject(new Error('classifier down')) };
    const scanner = runGuardOver(failing).contentScanner;
    const results = await Promise.allSettled(
      ['a.ts', 'b.ts'].map((path) => scanner?.({ path, content: 'export {};\n' })),
    );
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
