import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonRpcEnvelopeScanner } from '../../src/mcp/json-rpc-envelope-scanner.js';
import {
  describeOversizedMessage,
  limitJsonRpcLines,
  type OversizedJsonRpcMessage,
  oversizedMessageError,
} from '../../src/mcp/limit-json-rpc-lines.js';

/** Feeds `chunks` through the limiter and collects the lines it passes on and the messages it dropped. */
async function run(chunks: readonly string[], maxBytes: number) {
  const dropped: OversizedJsonRpcMessage[] = [];
  const input = new PassThrough();
  const output = input.pipe(limitJsonRpcLines({ maxBytes, onOversized: (message) => dropped.push(message) }));
  const passed: string[] = [];
  output.on('data', (chunk: Buffer) => passed.push(chunk.toString('utf8')));
  const ended = new Promise((resolve) => output.once('end', resolve));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await ended;
  return { passed, dropped };
}

function envelopeOf(text: string, pieceLength = 7) {
  const scanner = new JsonRpcEnvelopeScanner();
  for (let start = 0; start < text.length; start += pieceLength)
    scanner.feed(Buffer.from(text.slice(start, start + pieceLength)));
  return scanner.envelope();
}

describe('limitJsonRpcLines', () => {
  it('passes each line within the limit on whole, however the input is cut', async () => {
    const { passed, dropped } = await run(['{"a":1}\n{"b"', ':2}\n', '{"c":3}\n'], 64);
    expect(passed).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n']);
    expect(dropped).toEqual([]);
  });

  it('drops a line over the limit, reports its size and envelope, and passes the lines after it', async () => {
    const big = JSON.stringify({
      method: 'tools/call',
      params: { name: 'write_file', arguments: { content: 'x'.repeat(500) } },
      jsonrpc: '2.0',
      id: 7,
    });
    const { passed, dropped } = await run([big.slice(0, 100), big.slice(100), '\n{"ok":true}\n'], 200);
    expect(dropped).toEqual([{ bytes: big.length, maxBytes: 200, id: 7, method: 'tools/call' }]);
    expect(passed).toEqual(['{"ok":true}\n']);
  });
});

describe('JsonRpcEnvelopeScanner', () => {
  it('finds the id after the parameters, where the MCP SDK writes it', () => {
    expect(
      envelopeOf('{"method":"tools/call","params":{"id":99,"x":[{"id":"no"}]},"jsonrpc":"2.0","id":3}'),
    ).toEqual({
      id: 3,
      method: 'tools/call',
    });
  });

  it('is not fooled by "id" inside a string, or by escaped quotes', () => {
    expect(
      envelopeOf(
        '{"params":{"content":"\\",\\"id\\":66,\\"method\\":\\"evil\\""},"id":"req-1","method":"a\\"b"}',
        3,
      ),
    ).toEqual({ id: 'req-1', method: 'a"b' });
  });

  it('reads a null id and no method as a response, which gets no answer', () => {
    const envelope = envelopeOf('{"jsonrpc":"2.0","id":null,"result":{"big":[1,2,3]}}');
    expect(envelope).toEqual({ id: null, method: undefined });
    expect(oversizedMessageError({ ...envelope, bytes: 10, maxBytes: 5 }, 'herd mcp')).toBeUndefined();
  });

  it("writes a dropped message's method on stderr with its terminal escapes shown, not obeyed", () => {
    const line = describeOversizedMessage(
      { id: 1, method: 'tools/call\u001b[2K\rall good', bytes: 40_000_000, maxBytes: 32 * 1024 * 1024 },
      'herd mcp',
    );
    expect(line).toContain('(tools/call\\x1b[2K\\rall good, id 1)');
    expect(line).not.toContain('\u001b');
  });

  it('answers a request with an error naming the limit', () => {
    const answer = oversizedMessageError(
      { id: 4, method: 'tools/call', bytes: 40_000_000, maxBytes: 32 * 1024 * 1024 },
      'herd mcp',
    );
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 4, error: { code: -32600 } });
    expect(answer?.error.message).toContain('40,000,000 bytes, over the 32 MiB limit of herd mcp');
  });
});
