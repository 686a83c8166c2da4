import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTestCommand } from '../../src/init/detect-test-command.js';

function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'herd-init-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('detectTestCommand', () => {
  it('runs a package.json test script with the package manager its lock file names', () => {
    const scripts = JSON.stringify({ scripts: { test: 'vitest run' } });
    expect(detectTestCommand(repository({ 'package.json': scripts }))).toEqual({
      argv: ['npm', 'test'],
      source: 'package.json',
    });
    expect(detectTestCommand(repository({ 'package.json': scripts, 'pnpm-lock.yaml': '' }))?.argv).toEqual([
      'pnpm',
      'test',
    ]);
    expect(detectTestCommand(repository({ 'package.json': scripts, 'yarn.lock': '' }))?.argv).toEqual([
      'yarn',
      'test',
    ]);
  });

  it("skips npm init's placeholder and falls through to the next manifest", () => {
    const placeholder = JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } });
    expect(detectTestCommand(repository({ 'package.json': placeholder, 'go.mod': 'module x\n' }))).toEqual({
      argv: ['go', 'test', './...'],
      source: 'go.mod',
    });
  });

  it('reads a Makefile test target, Cargo.toml, and pytest in pyproject.toml (through uv when it manages it)', () => {
    expect(
      detectTestCommand(repository({ Makefile: 'build:\n\tcc x.c\ntest: build\n\t./x\n' }))?.argv,
    ).toEqual(['make', 'test']);
    expect(detectTestCommand(repository({ 'Cargo.toml': '[package]\nname = "x"\n' }))?.argv).toEqual([
      'cargo',
      'test',
    ]);
    const pyproject = '[project]\nname = "x"\n[tool.pytest.ini_options]\naddopts = "-q"\n';
    expect(detectTestCommand(repository({ 'pyproject.toml': pyproject, 'uv.lock': '' }))?.argv).toEqual([
      'uv',
      'run',
      'pytest',
    ]);
  });

  it('finds nothing in a repository that says nothing about its tests', () => {
    expect(
      detectTestCommand(repository({ 'README.md': '# x\n', Makefile: 'build:\n\tcc x.c\n' })),
    ).toBeUndefined();
  });
});
