import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as guard from '../src/index.js';

const sourceDirectory = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('@herd/guard public surface', () => {
  it('exports the API the engine calls at each scan point', () => {
    for (const name of [
      'createGuardFromConfig',
      'createGuard',
      'guardMiddleware',
      'guardStream',
      'findGuardError',
      'parseGuardPolicy',
      'readAuditLog',
    ]) {
      expect(typeof (guard as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('imports neither @herd/engine nor @herd/tools, and lists exports by name', () => {
    for (const file of sourceFiles(sourceDirectory)) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from '@herd\/(engine|tools)'/);
      expect(text, file).not.toMatch(/export \* from/);
    }
  });

  it('keeps every source file under 500 lines', () => {
    for (const file of sourceFiles(sourceDirectory)) {
      expect(readFileSync(file, 'utf8').split('\n').length, file).toBeLessThan(500);
    }
  });
});
