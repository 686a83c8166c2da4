const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The longest top-level key or `id`/`method` value kept; anything longer is not a JSON-RPC envelope field. */
const longestField = 1024;

/** Where the scanner is inside the top-level object. */
type Expecting = 'object' | 'key' | 'colon' | 'value' | 'next' | 'done';

/** The envelope of a JSON-RPC message: what is needed to answer it. */
export interface JsonRpcEnvelope {
  /** The request id; `undefined` when the message has none (a notification) or it could not be read. */
  id: string | number | null | undefined;
  /** The method, for a request or notification. */
  method: string | undefined;
}

/**
 * Reads the top-level `id` and `method` of a JSON-RPC message fed to it in pieces, without keeping the message:
 * a message too large to hold can still be answered by its id. Tracks strings (with escapes) and nesting, so an
 * `"id"` inside the parameters, or inside a string, is never mistaken for the envelope's. Linear in the input,
 * with constant memory.
 */
export class JsonRpcEnvelopeScanner {
  private expecting: Expecting = 'object';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inPrimitive = false;
  private readingKey = false;
  private key: string | undefined;
  private captured: number[] | undefined;
  private readonly fields = new Map<string, string>();

  /** Feeds the next bytes of the message. */
  feed(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (this.expecting === 'done') return;
      this.step(byte);
    }
  }

  /** The envelope read so far (complete once the whole message was fed). */
  envelope(): JsonRpcEnvelope {
    const id = parseField(this.fields.get('id'));
    const method = parseField(this.fields.get('method'));
    return {
      id: typeof id === 'string' || typeof id === 'number' || id === null ? id : undefined,
      method: typeof method === 'string' ? method : undefined,
    };
  }

  private step(byte: number): void {
    if (this.inString) {
      this.capture(byte);
      if (this.escaped) this.escaped = false;
      else if (byte === backslash) this.escaped = true;
      else if (byte === quote) {
        this.inString = false;
        if (this.depth === 1) this.endString();
      }
      return;
    }
    if (this.depth === 0) {
      if (whitespace.has(byte)) return;
      this.expecting = byte === openBrace ? 'key' : 'done';
      this.depth = byte === openBrace ? 1 : 0;
      return;
    }
    if (this.depth > 1) {
      if (byte === quote) this.inString = true;
      else if (byte === openBrace || byte === openBracket) this.depth++;
      else if (byte === closeBrace || byte === closeBracket) {
        this.depth--;
        if (this.depth === 1) this.expecting = 'next';
      }
      return;
    }
    if (this.inPrimitive) {
      if (byte !== comma && byte !== closeBrace && !whitespace.has(byte)) {
        this.capture(byte);
        return;
      }
      this.endValue();
    }
    if (whitespace.has(byte)) return;
    this.topLevel(byte);
  }

  /** A byte outside strings, directly inside the top-level object. */
  private topLevel(byte: number): void {
    if (byte === quote) {
      this.inString = true;
      this.readingKey = this.expecting === 'key';
      this.captured = this.readingKey || this.wanted() ? [quote] : undefined;
    } else if (byte === colon) {
      this.expecting = 'value';
    } else if (byte === comma) {
      this.expecting = 'key';
      this.key = undefined;
    } else if (byte === closeBrace) {
      this.expecting = 'done';
    } else if (byte === openBrace || byte === openBracket) {
      this.depth = 2;
    } else if (this.expecting === 'value') {
      this.inPrimitive = true;
      this.captured = this.wanted() ? [byte] : undefined;
    }
  }

  private endString(): void {
    if (this.readingKey) {
      this.readingKey = false;
      this.key = parseField(this.decodeCaptured()) as string | undefined;
      this.expecting = 'colon';
      return;
    }
    this.endValue();
  }

  private endValue(): void {
    const text = this.decodeCaptured();
    if (text !== undefined && this.key !== undefined) this.fields.set(this.key, text);
    this.inPrimitive = false;
    this.expecting = 'next';
  }

  private wanted(): boolean {
    return this.expecting === 'value' && (this.key === 'id' || this.key === 'method');
  }

  private capture(byte: number): void {
    if (!this.captured) return;
    if (this.captured.length >= longestField) this.captured = undefined;
    else this.captured.push(byte);
  }

  private decodeCaptured(): string | undefined {
    const captured = this.captured;
    this.captured = undefined;
    return captured ? Buffer.from(captured).toString('utf8') : undefined;
  }
}

function parseField(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
