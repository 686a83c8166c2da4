import { Transform, type TransformCallback } from 'node:stream';
import { visibleText } from '@herd/core';
import { type JsonRpcEnvelope, JsonRpcEnvelopeScanner } from './json-rpc-envelope-scanner.js';

/**
 * The largest JSON-RPC message (one line of newline-delimited JSON) `herd mcp` and `herd acp` read: 32 MiB, the
 * Agent Client Protocol SDK's own limit, so both front doors accept the same messages.
 */
export const maxJsonRpcMessageBytes = 32 * 1024 * 1024;

const newline = 0x0a;

/** A message dropped for its size: how large it was, and its envelope, to answer it. */
export interface OversizedJsonRpcMessage extends JsonRpcEnvelope {
  /** Its size in bytes, without the line ending. */
  bytes: number;
  /** The limit it went over. */
  maxBytes: number;
}

/**
 * A stream that splits newline-delimited JSON-RPC into lines and passes each line of at most `maxBytes` on whole
 * (one chunk per line, with its newline). A longer line is not kept: its bytes are only scanned for the envelope's
 * `id` and `method` as they pass, and `onOversized` is called once the line ends, so the caller can answer it with
 * an error and go on serving. Memory stays bounded by `maxBytes` whatever the peer sends.
 */
export function limitJsonRpcLines(options: {
  maxBytes?: number;
  onOversized: (message: OversizedJsonRpcMessage) => void;
}): Transform {
  const maxBytes = options.maxBytes ?? maxJsonRpcMessageBytes;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized: { scanner: JsonRpcEnvelopeScanner; bytes: number } | undefined;

  const startOversized = (piece: Buffer) => {
    const scanner = new JsonRpcEnvelopeScanner();
    for (const part of pending) scanner.feed(part);
    scanner.feed(piece);
    oversized = { scanner, bytes: pendingBytes + piece.length };
    pending = [];
    pendingBytes = 0;
  };
  const endOversized = () => {
    if (!oversized) return;
    const { scanner, bytes } = oversized;
    oversized = undefined;
    options.onOversized({ ...scanner.envelope(), bytes, maxBytes });
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let start = 0;
      while (start < chunk.length) {
        const end = chunk.indexOf(newline, start);
        const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
        if (oversized) {
          oversized.scanner.feed(piece);
          oversized.bytes += piece.length;
        } else if (pendingBytes + piece.length > maxBytes) {
          startOversized(piece);
        } else if (end === -1) {
          pending.push(piece);
          pendingBytes += piece.length;
        } else {
          this.push(Buffer.concat([...pending, piece, Buffer.from([newline])]));
          pending = [];
          pendingBytes = 0;
        }
        if (end === -1) break;
        endOversized();
        start = end + 1;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      // A last line without its newline: passed on whole as it is (the reader decides), or reported if too long.
      if (oversized) endOversized();
      else if (pendingBytes > 0) this.push(Buffer.concat(pending));
      callback();
    },
  });
}

/**
 * The JSON-RPC error answering an oversized request, naming the limit; `undefined` for a notification or a
 * response, which get no answer.
 */
export function oversizedMessageError(
  message: OversizedJsonRpcMessage,
  server: string,
):
  | { jsonrpc: '2.0'; id: string | number; error: { code: number; message: string; data: unknown } }
  | undefined {
  if (message.id === undefined || message.id === null || message.method === undefined) return undefined;
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: {
      code: -32600,
      message: `${message.method} was not read: the message is ${message.bytes.toLocaleString('en-US')} bytes, over the ${formatMiB(message.maxBytes)} limit of ${server} on one JSON-RPC message; send less at once (for a file, write it in parts).`,
      data: { bytes: message.bytes, maxBytes: message.maxBytes },
    },
  };
}

/** One line for stderr about a dropped message. */
export function describeOversizedMessage(message: OversizedJsonRpcMessage, server: string): string {
  // The peer chose the method: written out with its escapes, it cannot drive the terminal stderr may be.
  const method = message.method === undefined ? undefined : visibleText(message.method);
  const what = [
    method,
    message.id !== undefined ? `id ${visibleText(JSON.stringify(message.id))}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return `${server}: dropped a ${message.bytes.toLocaleString('en-US')}-byte JSON-RPC message${what ? ` (${what})` : ''}: over the ${formatMiB(message.maxBytes)} limit; still serving.`;
}

function formatMiB(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / 1024 / 1024} MiB`
    : `${bytes.toLocaleString('en-US')}-byte`;
}
