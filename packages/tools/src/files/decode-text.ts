import { UserError } from '@herd/core';

/** Text decoded from bytes, with what was learned about it. */
export interface DecodedText {
  text: string;
  /** `utf-8`, or `latin-1` when the bytes were not valid UTF-8. */
  encoding: 'utf-8' | 'latin-1';
  /** Whether the text had a UTF-8 byte order mark (removed from `text`). */
  bom: boolean;
}

/** True when the bytes look binary: a NUL byte in the first 8 KB. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** Decodes file bytes: strict UTF-8 first (BOM removed), Latin-1 when that fails, so any byte sequence is shown. */
export function decodeText(bytes: Uint8Array): DecodedText {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes),
      encoding: 'utf-8',
      bom,
    };
  } catch {
    return { text: new TextDecoder('latin1').decode(bytes), encoding: 'latin-1', bom: false };
  }
}

/**
 * Encodes text back the way the file it came from was stored ({@link decodeText}): UTF-8 (with its byte order
 * mark when it had one), or Latin-1, one byte a character.
 *
 * @throws UserError `encoding_unrepresentable` when a Latin-1 file would have to hold a character Latin-1 has not
 *   (Node writes such a character as its low byte: `€` became `¬`, an emoji a NUL byte, silently).
 */
export function encodeText(options: { text: string; like: DecodedText; path: string }): Buffer {
  const { text, like, path } = options;
  if (like.encoding === 'utf-8') return Buffer.from(like.bom ? `\uFEFF${text}` : text, 'utf8');
  const foreign = [...text].find((character) => character.codePointAt(0)! > 0xff);
  if (foreign !== undefined) {
    const code = `U+${foreign.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new UserError({
      code: 'encoding_unrepresentable',
      message: `'${path}' is stored as Latin-1 (it is not valid UTF-8), which cannot hold '${foreign}' (${code}); nothing was written. Use Latin-1 characters only, or write the whole file with write_file, which stores it as UTF-8.`,
    });
  }
  return Buffer.from(text, 'latin1');
}

/** The line ending a text mostly uses. */
export function detectLineEnding(text: string): '\r\n' | '\n' {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/** What the first bytes of a file say about how it is written. */
export interface TextShape {
  /** Whether the file starts with a UTF-8 byte order mark. */
  bom: boolean;
  /** The line ending the sample mostly uses; undefined when it has no line break. */
  lineEnding: '\r\n' | '\n' | undefined;
}

/**
 * Reads the byte order mark and the line ending from the start of a file, so a huge file is never decoded whole
 * to learn them. Line breaks are ASCII, so the sample's bytes are read one character each.
 */
export function sniffTextShape(sample: Uint8Array): TextShape {
  const bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;
  if (!sample.includes(10)) return { bom, lineEnding: undefined };
  return { bom, lineEnding: detectLineEnding(Buffer.from(sample).toString('latin1')) };
}
