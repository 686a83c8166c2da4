import { Writable } from 'node:stream';
import { ProviderError } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { describe, expect, it } from 'vitest';
import { redactProcessOutput } from '../../src/cli/redact-process-output.js';
import { reportCliError } from '../../src/cli/report-cli-error.js';

const key = 'sk-herd-canary-stdout-0123456789abcdef';
const redactor = createSecretsRedactor({ env: { TOGETHER_API_KEY: key } });

/** A stream that keeps what is written to it, as text. */
function recorder(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('redactProcessOutput', () => {
  it('redacts text, bytes and JSON lines written to a guarded stream, keeping each line valid JSON', () => {
    const { stream, text } = recorder();
    const restore = redactProcessOutput({ redactor, streams: [stream] });
    stream.write(`herd: 401 Incorrect API key provided: ${key}\n`);
    stream.write(Buffer.from(`bytes ${key}\n`));
    const message = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `echo "${key}"` }] } };
    stream.write(`${JSON.stringify(message)}\n`);
    restore();
    stream.write('after restore\n');

    const lines = text().trimEnd().split('\n');
    expect(text()).not.toContain(key);
    expect(lines[0]).toBe('herd: 401 Incorrect API key provided: [redacted:TOGETHER_API_KEY]');
    expect(lines[1]).toBe('bytes [redacted:TOGETHER_API_KEY]');
    expect(JSON.parse(lines[2]!).result.content[0].text).toBe('echo "[redacted:TOGETHER_API_KEY]"');
    expect(lines[3]).toBe('after restore');
  });
});

describe('reportCliError', () => {
  it('never prints a key that a provider quoted in its error', () => {
    const previous = process.env.TOGETHER_API_KEY;
    process.env.TOGETHER_API_KEY = key;
    try {
      const { stream, text } = recorder();
      const error = new ProviderError({
        code: 'provider_auth',
        provider: 'together',
        model: 'scout',
        status: 401,
        message: `together rejected the key: Incorrect API key provided: ${key}.`,
        hint: `check ${key}`,
      });
      expect(reportCliError(error, stream)).toBe(3);
      expect(text()).toContain('Incorrect API key provided: [redacted:TOGETHER_API_KEY]');
      expect(text()).not.toContain(key);
      expect(error.message).not.toContain(key);
    } finally {
      if (previous === undefined) delete process.env.TOGETHER_API_KEY;
      else process.env.TOGETHER_API_KEY = previous;
    }
  });
});
