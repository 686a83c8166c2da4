import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin } from '../../../../test/cli/herd-cli.js';

beforeAll(assertBuilt);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Answer {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

describe('herd acp input limit', () => {
  it('answers a message over 32 MiB with an error naming the limit, says so on stderr, and keeps serving', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-acp-limit-'));
    const child = spawn(process.execPath, [herdBin, 'acp'], {
      cwd: workspace,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const answers = new Map<number, Answer>();
    const waiters = new Map<number, (answer: Answer) => void>();
    let buffer = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const answer = JSON.parse(buffer.slice(0, end)) as Answer;
        buffer = buffer.slice(end + 1);
        answers.set(answer.id, answer);
        waiters.get(answer.id)?.(answer);
      }
    });
    const answerTo = (id: number) =>
      new Promise<Answer>((resolve) => {
        const known = answers.get(id);
        if (known) resolve(known);
        else waiters.set(id, resolve);
      });
    const initialize = (id: number, padding = '') =>
      child.stdin!.write(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'initialize',
          params: { protocolVersion: 1, clientCapabilities: {}, _meta: { padding } },
        })}\n`,
      );

    // Was: the SDK errored the whole stream at its 32 MiB limit, so the connection closed with no answer.
    initialize(1, 'x'.repeat(33 * 1024 * 1024));
    const refused = await answerTo(1);
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toContain('over the 32 MiB limit of herd acp');

    initialize(2);
    expect((await answerTo(2)).result).toMatchObject({ protocolVersion: 1 });
    expect(stderr).toMatch(/herd acp: dropped a [\d,]+-byte JSON-RPC message \(initialize, id 1\)/);
  }, 120_000);
});
