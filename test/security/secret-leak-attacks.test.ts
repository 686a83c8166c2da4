import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, type HerdProcess, spawnHerd, trustConfig } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixEditCall, fixPlan } from '../engine/fixture-repository.js';

// Attacks on the redactor that no-secret-in-outputs.test.ts does not make: a key cut short by Herd's own
// truncation, and an egress point outside Herd's outputs (LangChain's tracing to LangSmith).
const apiKey = 'sk-herd-canary-together-7Qx2Lm9Vb4Np0Rt6';
// Any stretch of at least half the key that begins or ends it holds one of these.
const half = apiKey.length / 2;
const keyParts = { head: apiKey.slice(0, half), tail: apiKey.slice(half) };
const leaked = (text: string) =>
  Object.entries(keyParts)
    .filter(([, part]) => text.includes(part))
    .map(([name]) => name);

let server: ScriptedServer;
let tracer: Server;
const traced: string[] = [];
let workspace: string;
let run: HerdProcess;
let runExit: number | string;

/** Every file under a directory, raw bytes read as Latin-1 so that any ASCII secret is found wherever it sits. */
function filesUnder(directory: string): Array<{ path: string; bytes: string }> {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: readFileSync(path).toString('latin1') };
    });
}

beforeAll(async () => {
  assertBuilt();
  server = await startScriptedServer();
  // A LangSmith endpoint that records what it is sent.
  tracer = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      traced.push(`${request.method} ${request.url} ${Buffer.concat(parts).toString('latin1')}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => tracer.listen(0, '127.0.0.1', resolve));
  workspace = createFailingTestRepository();
  const config = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  const scripted = { ...config.providers?.scripted, apiKeyEnv: 'TOGETHER_API_KEY', requiresApiKey: true };
  writeFileSync(
    join(workspace, 'herd.config.json'),
    JSON.stringify({
      ...config,
      providers: { scripted },
      roles: { planner: config.roles?.planner, actor: config.roles?.actor },
    }),
  );

  // Sending TOGETHER_API_KEY to the stand-in host weakens Herd: the person running this accepts it first.
  await trustConfig(workspace);

  // The actor echoes the key right where Herd cuts an over-long reply (100,000 characters): 24 of its 40 characters
  // are kept in the conversation, which is saved with the session.
  const padding = 'x '.repeat(50_000).slice(0, 100_000 - 24);
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
  server.enqueue([fixEditCall, { content: `${padding}${apiKey} is the key`, chunkSize: 4096 }], {
    model: testModels.actor,
  });
  run = spawnHerd({
    args: ['run', 'make the failing test pass', '--yes', '--json'],
    cwd: workspace,
    env: {
      TOGETHER_API_KEY: apiKey,
      // A LangChain developer's shell: every LangChain run is traced to LangSmith.
      LANGSMITH_TRACING: 'true',
      LANGSMITH_ENDPOINT: `http://127.0.0.1:${(tracer.address() as AddressInfo).port}`,
      LANGSMITH_API_KEY: 'lsv2_pt_herd_canary_tracing_key_0000',
    },
  });
  runExit = await run.exit;
}, 300_000);

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => tracer?.close(resolve));
});

describe('a key cut short by a truncation', () => {
  it('ran', () => {
    expect({ exit: runExit, stderr: run.stderr() }).toMatchObject({ exit: 0 });
  });

  it('leaves no half of it on stdout, stderr, the events or any file under .herd/ (sessions.db read raw)', () => {
    expect({ stdout: leaked(run.stdout()), stderr: leaked(run.stderr()) }).toEqual({
      stdout: [],
      stderr: [],
    });
    expect(leaked(JSON.stringify(run.events))).toEqual([]);
    const leaks = filesUnder(join(workspace, '.herd')).flatMap((file) =>
      leaked(file.bytes).map((part) => `${part} in ${file.path}`),
    );
    expect(leaks).toEqual([]);
  });

  it('was cut by Herd', () => {
    expect(JSON.stringify(run.events)).toContain('characters long, so Herd kept the first 100000');
  });
});

describe("LangChain's tracing to LangSmith, switched on in the environment", () => {
  it('sends nothing to LangSmith: traces would carry prompts and replies past every redaction', () => {
    expect(traced).toEqual([]);
    expect(run.stderr()).toContain('LangSmith');
  });
});

describe('an error nothing catches, in a herd process', () => {
  it('is reported redacted, with exit code 70, not printed by Node past the redaction of stderr', () => {
    // What the CLI does first (see cli/herd.ts), then a provider error quoting the key in a promise nobody awaits.
    const cli = fileURLToPath(new URL('../../packages/engine/dist/cli/', import.meta.url));
    const script = [
      `import { redactProcessOutput } from ${JSON.stringify(join(cli, 'redact-process-output.js'))};`,
      `import { reportUncaughtErrors } from ${JSON.stringify(join(cli, 'report-uncaught-errors.js'))};`,
      'redactProcessOutput();',
      'reportUncaughtErrors();',
      "const quoted = '401 Incorrect API key provided: ' + process.env.TOGETHER_API_KEY;",
      'setTimeout(() => Promise.reject(new Error(quoted)));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, TOGETHER_API_KEY: apiKey },
      encoding: 'utf8',
    });
    expect(leaked(child.stderr + child.stdout)).toEqual([]);
    expect(child.stderr).toContain('401 Incorrect API key provided: [redacted:TOGETHER_API_KEY]');
    expect(child.status).toBe(70);
  });
});
