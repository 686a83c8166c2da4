import { open } from 'node:fs/promises';

/** A media type Herd sends images as. */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

// The most bytes any signature below needs (RIFF, 4 bytes of size, WEBP).
const signatureBytes = 12;

/**
 * The image format a file's first bytes show (PNG, JPEG, GIF or WebP), or `undefined` when they are none of
 * these. Reads only the first 12 bytes.
 *
 * @throws the file system error when the file cannot be opened or read.
 */
export async function detectImageType(path: string): Promise<ImageMediaType | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(signatureBytes);
    const { bytesRead } = await file.read(head, 0, signatureBytes, 0);
    return imageTypeOfBytes(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

// Each format's signature as [offset, bytes] pairs that must all match.
const signatures: ReadonlyArray<readonly [ImageMediaType, ReadonlyArray<readonly [number, Buffer]>]> = [
  ['image/png', [[0, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]]],
  ['image/jpeg', [[0, Buffer.from([0xff, 0xd8, 0xff])]]],
  ['image/gif', [[0, ascii('GIF87a')]]],
  ['image/gif', [[0, ascii('GIF89a')]]],
  [
    'image/webp',
    [
      [0, ascii('RIFF')],
      [8, ascii('WEBP')],
    ],
  ],
];

function imageTypeOfBytes(head: Buffer): ImageMediaType | undefined {
  const matches = (offset: number, expected: Buffer) =>
    head.subarray(offset, offset + expected.length).equals(expected);
  return signatures.find(([, parts]) => parts.every(([offset, expected]) => matches(offset, expected)))?.[0];
}
