import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import {
  describeOversizedMessage,
  limitJsonRpcLines,
  maxJsonRpcMessageBytes,
  oversizedMessageError,
} from '@herd/tools';
import { type CreateAcpAgentOptions, createAcpAgent } from './create-acp-agent.js';

/**
 * Serves Herd as an ACP agent on this process's stdin and stdout (newline-delimited JSON-RPC) until the editor
 * closes the stream, then releases every session. Nothing else may write to stdout meanwhile; diagnostics go to
 * stderr. A message over 32 MiB (the limit `herd mcp` shares) is not read: a request gets a JSON-RPC error naming
 * the limit, stderr says what was dropped, and the agent goes on serving (the SDK alone would close the connection).
 */
export async function serveAcpOverStdio(options: CreateAcpAgentOptions = {}): Promise<void> {
  const agent = createAcpAgent(options);
  const lines = process.stdin.pipe(
    limitJsonRpcLines({
      maxBytes: maxJsonRpcMessageBytes,
      onOversized: (message) => {
        process.stderr.write(`${describeOversizedMessage(message, 'herd acp')}\n`);
        const answer = oversizedMessageError(message, 'herd acp');
        // One whole line in one write: it cannot land inside a message the SDK is writing.
        if (answer) process.stdout.write(`${JSON.stringify(answer)}\n`);
      },
    }),
  );
  const stream = acp.ndJsonStream(
    Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    Readable.toWeb(lines) as ReadableStream<Uint8Array>,
    // Every line is within the limit already; the SDK's own check must not cut one that is.
    { maxMessageBytes: maxJsonRpcMessageBytes + 1 },
  );
  await agent.app.connect(stream).closed;
  await agent.close();
}
