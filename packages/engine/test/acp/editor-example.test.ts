import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin, writeTestConfig } from '../../../../test/cli/herd-cli.js';
import {
  createFailingTestRepository,
  enqueueFixScenario,
  fixPlan,
} from '../../../../test/engine/fixture-repository.js';
import { acpTranscriptViolations, describeAcpSchemaViolations } from './acp-schema-conformance.js';

const exampleClient = fileURLToPath(new URL('../../../../examples/editor/acp-client.mjs', import.meta.url));
const wireTap = fileURLToPath(new URL('./fixtures/acp-wire-tap.mjs', import.meta.url));
const run = promisify(execFile);

let server: ScriptedServer;
let transcript: string;
/** `herd acp` behind a wire tap, so what it tells the example client is checked against the ACP schema. */
let herd: string;
beforeAll(assertBuilt);
beforeEach(async () => {
  server = await startScriptedServer();
  transcript = join(mkdtempSync(join(tmpdir(), 'herd-acp-wire-')), 'transcript.jsonl');
  herd = [process.execPath, wireTap, transcript, process.execPath, herdBin].join(' ');
});
afterEach(async () => {
  await server.close();
  expect(existsSync(transcript), 'the wire tap recorded nothing').toBe(true);
  const violations = acpTranscriptViolations(readFileSync(transcript, 'utf8'));
  rmSync(join(transcript, '..'), { recursive: true, force: true });
  if (violations.length > 0) expect.fail(describeAcpSchemaViolations(violations));
});

describe('examples/editor/acp-client.mjs', () => {
  it('drives herd acp from plan mode to a fixed test, answering every question with allow once', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    enqueueFixScenario({
      server,
      plannerModel: testModels.planner,
      actorModel: testModels.actor,
      summary: 'Fixed add.',
    });

    const { stdout } = await run(
      process.execPath,
      [
        exampleClient,
        '--cwd',
        workspace,
        '--mode',
        'plan',
        '--yes',
        '--herd',
        herd,
        'make the failing test pass',
      ],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );

    expect(stdout).toContain('? Switch to act mode and carry out plan');
    expect(stdout).toContain('mode: act');
    expect(stdout).toContain('→ Edit src/add.js (edit)');
    expect(stdout).toContain(`diff ${join(workspace, 'src/add.js')}`);
    expect(stdout).toContain('stop reason: end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
  });

  it('cancels the prompt on Ctrl-C', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue({ fault: 'stall', ms: 60_000 }, { model: testModels.actor });
    const client = spawn(
      process.execPath,
      [exampleClient, '--cwd', workspace, '--yes', '--herd', herd, 'fix it'],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    // 'close', not 'exit': only then has all of stdout been read.
    const exited = new Promise<number | null>((resolve) => client.on('close', resolve));
    await new Promise<void>((resolve) =>
      client.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('[~] Fix add')) resolve();
      }),
    );
    client.kill('SIGINT');

    expect(await exited).toBe(1);
    expect(stdout).toContain('stop reason: cancelled');
  });

  it('refuses every question when it cannot ask and was not told --yes', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });

    const { stdout } = await run(
      process.execPath,
      [exampleClient, '--cwd', workspace, '--herd', herd, 'make the failing test pass'],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );

    expect(stdout).toContain('→ Reject');
    expect(stdout).toContain('stop reason: end_turn');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });
});
