import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../engine/fixture-repository.js';
import { assertBuilt, writeTestConfig } from './herd-cli.js';

// What a person does to put `herd` on PATH without a registry (the README's Install section): `pnpm release:pack`,
// then npm installs the four tarballs. The test runs the same release script, checks what the tarballs hold, and
// installs them with npm into an empty folder, offline and with an empty npm cache. The packages' third-party
// dependencies cannot come from the registry then (CI reaches it, but a test that downloads ~300 packages, among
// them onnxruntime-node's binaries, would be slow and at the mercy of the network), so the folder's node_modules is
// given them first: a link to each dependency the tarballs name, to the copy this repository's install already
// holds. npm still installs the tarballs themselves, checks every dependency they name against what is there (one
// missing from the folder fails the offline install) and links the `herd` bin; `herd` then runs from the folder's
// .bin with its @herd packages from the tarballs, not from this repository.

const repository = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const packages = ['core', 'tools', 'guard', 'engine'];

let scratch: string;
let tarballs: string[];
let bin: string;
/** PATH with the installed `herd` first: what a shell has after `npm install -g`. */
let path: string;

interface PackedManifest {
  name: string;
  version: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const manifestOf = async (tarball: string): Promise<PackedManifest> =>
  JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as PackedManifest;

beforeAll(async () => {
  assertBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'herd-install-'));
  const out = join(scratch, 'tarballs');
  // The build is the test command's (tsc -b); --no-build keeps this test from building again.
  await run(process.execPath, [join(repository, 'scripts/release-pack.mjs'), '--no-build', '--out', out], {
    cwd: repository,
  });
  tarballs = readdirSync(out).map((file) => join(out, file));

  const prefix = join(scratch, 'prefix');
  for (const name of packages) {
    const manifest = await manifestOf(join(out, `herd-${name}-0.1.0.tgz`));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (dependency.startsWith('@herd/')) continue;
      const link = join(prefix, 'node_modules', dependency);
      mkdirSync(dirname(link), { recursive: true });
      rmSync(link, { force: true });
      symlinkSync(realpathSync(join(repository, 'packages', name, 'node_modules', dependency)), link, 'dir');
    }
  }
  await run(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--offline',
      '--cache',
      join(scratch, 'npm-cache'),
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      ...tarballs,
    ],
    // npm's own settings only: none of the npm_config_* variables pnpm passes to the test command.
    { env: { PATH: process.env.PATH, HOME: scratch } },
  );
  bin = join(prefix, 'node_modules', '.bin');
  path = `${bin}:${process.env.PATH}`;
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('name each other by version, never workspace:, and the herd bin is the launcher', async () => {
    const manifests = await Promise.all(tarballs.map(manifestOf));
    expect(manifests.map((manifest) => manifest.name).sort()).toEqual(
      packages.map((name) => `@herd/${name}`).sort(),
    );
    for (const manifest of manifests) {
      expect(JSON.stringify(manifest), manifest.name).not.toContain('workspace:');
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {}))
        if (dependency.startsWith('@herd/')) expect(range, `${manifest.name} → ${dependency}`).toBe('0.1.0');
    }
    expect(manifests.find((manifest) => manifest.name === '@herd/engine')?.bin).toEqual({
      herd: './bin/herd.js',
    });
  });

  it('hold the built code and the launcher, and no build info, source maps, sources or tests', async () => {
    for (const tarball of tarballs) {
      const files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n');
      expect(files, tarball).toContain('package/dist/index.js');
      expect(files, tarball).toContain('package/README.md');
      expect(
        files.filter((file) => /\.tsbuildinfo$|\.map$|^package\/(src|test)\//.test(file)),
        tarball,
      ).toEqual([]);
    }
    const engine = (await run('tar', ['-tzf', tarballs.find((file) => file.includes('engine'))!])).stdout;
    expect(engine).toContain('package/bin/herd.js');
    expect(engine).toContain('package/dist/cli/herd.js');
    expect(engine).toContain('package/dist/bundle/herd.js');
    expect(engine).toContain('package/dist/bundle/prompt-guard-worker.js');
    expect(engine).toContain('package/schema/ci-report.schema.json');
  });
});

describe('herd installed from the tarballs with npm', { timeout: 90_000 }, () => {
  it('is on PATH and says its version', async () => {
    const { stdout } = await run('herd', ['--version'], { env: { PATH: path, HOME: scratch } });
    expect(stdout.trim()).toBe(
      (
        JSON.parse(readFileSync(join(repository, 'packages/engine/package.json'), 'utf8')) as {
          version: string;
        }
      ).version,
    );
  });

  it('runs from the installed packages, not from this repository', async () => {
    const { stdout } = await run(process.execPath, ['-e', 'console.log(require.resolve("@herd/engine"))'], {
      cwd: join(scratch, 'prefix'),
      env: { PATH: path, HOME: scratch },
    });
    expect(realpathSync(stdout.trim())).toBe(
      join(realpathSync(scratch), 'prefix/node_modules/@herd/engine/dist/index.js'),
    );
  });

  it('packs a repository given with -w', async () => {
    const workspace = createFailingTestRepository();
    const { stdout } = await run('herd', ['pack', '-w', workspace, '--budget', '20000'], {
      env: { PATH: path, HOME: scratch },
    });
    expect(stdout).toContain('src/add.js');
    expect(stdout).toContain('return left - right;');
  });

  it('maps a repository larger than its budget, with the symbols the installed tree-sitter grammars find', async () => {
    // The bundle leaves web-tree-sitter and its grammars outside (they load .wasm files beside their own modules):
    // this is the path that finds them from an installed @herd/engine.
    const workspace = mkdtempSync(join(tmpdir(), 'herd-install-map-'));
    mkdirSync(join(workspace, 'src'));
    const source =
      'export class Calculator {\n  total = 0;\n  plus(value) {\n    this.total += value;\n  }\n}\n';
    for (const name of ['calculator', 'one', 'two', 'three', 'four', 'five'])
      writeFileSync(join(workspace, 'src', `${name}.js`), source);
    await run('git', ['init', '-q'], { cwd: workspace });
    const { stdout } = await run('herd', ['pack', '-w', workspace, '--budget', '200'], {
      env: { PATH: path, HOME: scratch },
    });
    expect(stdout).toContain('mode="map"');
    expect(stdout).toContain('export class Calculator');
    expect(stdout).toContain('plus(value)');
  });

  it('serves its tools over MCP to the MCP SDK client', async () => {
    const workspace = createFailingTestRepository();
    const client = new Client({ name: 'herd-install-test', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: 'herd',
        args: ['mcp', '-w', workspace],
        env: { PATH: path, HOME: scratch },
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['read_file', 'run_command']));
      const result = await client.callTool({ name: 'read_file', arguments: { path: 'src/add.js' } });
      expect(result.isError).toBe(false);
      expect((result.content as Array<{ text: string }>)[0]?.text).toContain('left - right');
    } finally {
      await client.close();
    }
  });

  it('is the herd that examples/editor/acp-client.mjs starts, with no --herd', async () => {
    const server: ScriptedServer = await startScriptedServer();
    try {
      const workspace = createFailingTestRepository();
      writeTestConfig(workspace, server.url);
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      const { stdout } = await run(
        process.execPath,
        [
          join(repository, 'examples/editor/acp-client.mjs'),
          '--cwd',
          workspace,
          '--mode',
          'plan',
          'make the failing test pass',
        ],
        { env: { PATH: path, HOME: scratch } },
      );
      expect(stdout).toContain('connected to Herd');
      expect(stdout).toContain(`[ ] ${fixPlan.steps[0]!.title}`);
      expect(stdout).toContain('stop reason:');
    } finally {
      await server.close();
    }
  });
});
