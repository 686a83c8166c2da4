import type { SecretRedactor } from '@herd/core/secrets';
import { createSecretsRedactor } from '@herd/guard/secrets';

/** Options for {@link redactProcessOutput}. */
export interface RedactProcessOutputOptions {
  /** The redactor; default the product's redactor over `process.env` (`createSecretsRedactor`). */
  redactor?: SecretRedactor;
  /** The streams to guard; default stdout and stderr. */
  streams?: readonly NodeJS.WriteStream[];
}

/**
 * Makes the process's standard streams the last egress point for secrets: every write is redacted on its way out,
 * whoever makes it (Herd's renderers, an error report, a library's warning). A line that is a JSON message (NDJSON
 * events) is redacted as JSON, so it stays valid. Returns a function that restores the streams.
 *
 * @example
 * ```ts
 * redactProcessOutput();
 * process.stderr.write(`provider said: ${message}`); // keys never reach the terminal or a CI log
 * ```
 */
export function redactProcessOutput(options: RedactProcessOutputOptions = {}): () => void {
  const redactor = options.redactor ?? createSecretsRedactor();
  const streams = options.streams ?? [process.stdout, process.stderr];
  const restore = streams.map((stream) => {
    const write = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      return (write as (...parameters: unknown[]) => boolean).call(
        this,
        redactChunk(chunk, redactor),
        ...rest,
      );
    } as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return () => {
    for (const undo of restore) undo();
  };
}

function redactChunk(chunk: unknown, redactor: SecretRedactor): unknown {
  if (typeof chunk === 'string') return redactText(chunk, redactor);
  if (!(chunk instanceof Uint8Array)) return chunk;
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  const redacted = redactText(text, redactor);
  return redacted === text ? chunk : Buffer.from(redacted, 'utf8');
}

function redactText(text: string, redactor: SecretRedactor): string {
  if (!redactor.mayContain(text)) return text;
  // JSON-RPC and NDJSON events are one message per line: each is redacted as JSON so it still parses.
  if (!text.trimStart().startsWith('{')) return redactor.redact(text);
  return text
    .split('\n')
    .map((line) => (line.trimStart().startsWith('{') ? redactor.redactJson(line) : redactor.redact(line)))
    .join('\n');
}
