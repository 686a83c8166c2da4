/** Captured output of a stream: the head and tail within the limit, and how much was cut between them. */
export interface CapturedOutput {
  /** The kept text; when bytes were cut, a marker line between head and tail says how many. */
  text: string;
  /** Bytes the stream produced in total. */
  totalBytes: number;
  /** Bytes dropped from the middle. */
  omittedBytes: number;
}

/** Keeps the first and last halves of a byte budget from a stream of chunks, in constant memory. */
export interface OutputCapture {
  push(chunk: Uint8Array): void;
  result(): CapturedOutput;
}

/** Creates an {@link OutputCapture} keeping `limitBytes` in total (half head, half tail). */
export function createOutputCapture(limitBytes: number): OutputCapture {
  const headLimit = Math.ceil(limitBytes / 2);
  const tailLimit = limitBytes - headLimit;
  const head: Buffer[] = [];
  let headBytes = 0;
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let totalBytes = 0;
  return {
    push(chunk) {
      let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      totalBytes += bytes.length;
      if (headBytes < headLimit) {
        const taken = bytes.subarray(0, headLimit - headBytes);
        head.push(Buffer.from(taken));
        headBytes += taken.length;
        bytes = bytes.subarray(taken.length);
      }
      if (bytes.length === 0 || tailLimit === 0) return;
      if (bytes.length >= tailLimit) {
        tail = [Buffer.from(bytes.subarray(bytes.length - tailLimit))];
        tailBytes = tailLimit;
        return;
      }
      tail.push(Buffer.from(bytes));
      tailBytes += bytes.length;
      while (tailBytes - tail[0]!.length >= tailLimit) tailBytes -= tail.shift()!.length;
    },
    result() {
      const tailBuffer = Buffer.concat(tail);
      const keptTail = tailBuffer.subarray(Math.max(0, tailBuffer.length - tailLimit));
      const omittedBytes = Math.max(0, totalBytes - headBytes - keptTail.length);
      const headText = Buffer.concat(head).toString('utf8');
      const tailText = keptTail.toString('utf8');
      const text =
        omittedBytes > 0
          ? `${headText}\n[… ${omittedBytes} bytes cut …]\n${tailText}`
          : `${headText}${tailText}`;
      return { text, totalBytes, omittedBytes };
    },
  };
}
