import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import { type CreateAcpAgentOptions, createAcpAgent } from './create-acp-agent.js';

/**
 * Serves Herd as an ACP agent on this process's stdin and stdout (newline-delimited JSON-RPC) until the editor
 * closes the stream, then releases every session. Nothing else may write to stdout meanwhile; diagnostics go to
 * stderr.
 */
export async function serveAcpOverStdio(options: CreateAcpAgentOptions = {}): Promise<void> {
  const agent = createAcpAgent(options);
  const stream = acp.ndJsonStream(
    Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
  );
  await agent.app.connect(stream).closed;
  await agent.close();
}
