import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleInputs, staleBundleInputs } from './herd-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'herd-bundle-inputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A file in the scratch folder changed `secondsAgo` seconds ago. */
function fileFrom(name: string, secondsAgo: number): string {
  const path = join(scratch, name);
  writeFileSync(path, name);
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, time, time);
  return path;
}

describe('the bundle the end-to-end tests run', () => {
  it('is stale when the bundling script or the lockfile changed after it, not only the compiled packages', () => {
    const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
    expect(bundleInputs).toEqual(
      expect.arrayContaining([here('../../scripts/bundle-cli.mjs'), here('../../pnpm-lock.yaml')]),
    );
  });

  it('names each input changed after the bundle was written, and all of them when there is no bundle', () => {
    const compiled = fileFrom('compiled.tsbuildinfo', 60);
    const bundled = fileFrom('herd.js', 30);
    // An external added to the bundling script after the last bundle: `tsc -b` has nothing to rewrite.
    const script = fileFrom('bundle-cli.mjs', 10);
    expect(staleBundleInputs(bundled, [compiled, script, join(scratch, 'absent')])).toEqual([script]);
    expect(staleBundleInputs(join(scratch, 'no-bundle.js'), [compiled])).toEqual([compiled]);
  });
});
