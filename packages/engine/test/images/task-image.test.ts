import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@herd/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkTaskImages } from '../../src/images/task-image.js';

// Real 1×1 images, one per accepted format.
const images = {
  png: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  jpeg: '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  gif: 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  webp: 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==',
};

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'herd-images-'));
});

function write(name: string, content: string | Buffer): string {
  writeFileSync(join(workspace, name), content);
  return name;
}

async function refusal(source: string): Promise<UserError> {
  try {
    await checkTaskImages({ images: [{ source }], workspace });
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected ${source} to be refused`);
}

describe('checkTaskImages', () => {
  it.each([
    ['screenshot.png', images.png],
    ['photo.jpg', images.jpeg],
    ['photo.jpeg', images.jpeg],
    ['animation.gif', images.gif],
    ['diagram.webp', images.webp],
  ])('accepts a real image file %s', async (name, base64) => {
    write(name, Buffer.from(base64, 'base64'));
    await expect(checkTaskImages({ images: [{ source: name }], workspace })).resolves.toBeUndefined();
  });

  it('refuses a text file named .png, naming the file and the type its name claims', async () => {
    write('x.png', 'hello\n');
    const error = await refusal('x.png');
    expect(error.code).toBe('image_content_invalid');
    expect(error.message).toBe(
      'The image x.png is named as a PNG file, but its content is not a PNG image; pass a real image.',
    );
  });

  it('refuses an empty file named .jpg', async () => {
    write('empty.jpg', '');
    const error = await refusal('empty.jpg');
    expect(error.code).toBe('image_content_invalid');
    expect(error.message).toContain('its content is not a JPEG image; pass a real image');
  });

  it('refuses a RIFF file that is not WebP (a WAV named .webp)', async () => {
    write('sound.webp', Buffer.from('RIFF\u0024\u0000\u0000\u0000WAVEfmt ', 'latin1'));
    expect((await refusal('sound.webp')).message).toContain('its content is not a WebP image');
  });

  it('says which format a real image of another type is and how to rename it', async () => {
    write('screenshot.png', Buffer.from(images.jpeg, 'base64'));
    const error = await refusal('screenshot.png');
    expect(error.code).toBe('image_content_invalid');
    expect(error.message).toBe(
      'The image screenshot.png is named as a PNG file, but its content is not a PNG image: it is a JPEG image; rename it to .jpg or pass a real PNG image.',
    );
  });

  it('judges a file by its first bytes only', async () => {
    const pngSignature = Buffer.from(images.png, 'base64').subarray(0, 8);
    write('truncated.png', Buffer.concat([pngSignature, Buffer.from('not the rest of a PNG')]));
    await expect(
      checkTaskImages({ images: [{ source: 'truncated.png' }], workspace }),
    ).resolves.toBeUndefined();
  });

  it('checks each image, refusing the first bad one by name', async () => {
    write('good.gif', Buffer.from(images.gif, 'base64'));
    write('notes.gif', 'GIF is a nice format\n');
    await expect(
      checkTaskImages({ images: [{ source: 'good.gif' }, { source: 'notes.gif' }], workspace }),
    ).rejects.toThrow('The image notes.gif is named as a GIF file, but its content is not a GIF image');
  });

  it('leaves URLs to the provider', async () => {
    await expect(
      checkTaskImages({ images: [{ source: 'https://example.com/x.png' }], workspace }),
    ).resolves.toBeUndefined();
  });
});
