import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { UserError } from '@herd/core';
import { z } from 'zod';
import { detectImageType, type ImageMediaType } from './detect-image-type.js';

/** An image that comes with a task (a screenshot of a broken page, a diagram): a file path or an http(s) URL. */
export const TaskImageSchema = z.object({
  /** A file path (relative to the workspace) or an http(s) URL. */
  source: z.string().min(1),
});
/** An image that comes with a task. */
export type TaskImage = z.infer<typeof TaskImageSchema>;

const mediaTypes: Record<string, ImageMediaType> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};
const formats: Record<ImageMediaType, { name: string; extension: string }> = {
  'image/png': { name: 'PNG', extension: '.png' },
  'image/jpeg': { name: 'JPEG', extension: '.jpg' },
  'image/gif': { name: 'GIF', extension: '.gif' },
  'image/webp': { name: 'WebP', extension: '.webp' },
};
// Hosts cap image size (the Llama API takes up to about 25 MB per request); stay well below.
const maximumImageBytes = 10 * 1024 * 1024;

/** A message content part carrying an image, in the OpenAI-compatible shape. */
export interface ImageContentPart {
  type: 'image_url';
  image_url: { url: string };
  // LangChain content blocks are open records; the index signature lets a part stand among them.
  [key: string]: unknown;
}

/**
 * Checks that each image can be sent: a URL, or a readable PNG, JPEG, GIF or WebP file of at most 10 MB whose
 * first bytes show the format its name claims (only those bytes are read here).
 *
 * @throws {UserError} naming the image and what to do.
 */
export async function checkTaskImages(options: {
  images: readonly TaskImage[];
  workspace: string;
}): Promise<void> {
  for (const image of options.images) {
    if (/^https?:\/\//i.test(image.source)) continue;
    const path = resolve(options.workspace, image.source);
    const type = mediaTypes[extname(path).toLowerCase()];
    if (!type) {
      throw new UserError({
        code: 'image_type_unsupported',
        message: `The image ${image.source} is not a PNG, JPEG, GIF or WebP file; convert it or pass a URL.`,
      });
    }
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new UserError({
        code: 'image_missing',
        message: `The image ${image.source} does not exist or is not a file; check the path.`,
      });
    }
    if (info.size > maximumImageBytes) {
      throw new UserError({
        code: 'image_too_large',
        message: `The image ${image.source} is ${(info.size / 1024 / 1024).toFixed(1)} MB; send one of at most 10 MB (crop or compress it).`,
      });
    }
    await checkImageContent({ source: image.source, path, type });
  }
}

async function checkImageContent(input: {
  source: string;
  path: string;
  type: ImageMediaType;
}): Promise<void> {
  const { source, path, type } = input;
  const actual = await detectImageType(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError({
      code: 'image_unreadable',
      message: `The image ${source} cannot be read (${error.code ?? error.message}); check its permissions.`,
      cause: error,
    });
  });
  if (actual === type) return;
  const claimed = formats[type].name;
  throw new UserError({
    code: 'image_content_invalid',
    message: actual
      ? `The image ${source} is named as a ${claimed} file, but its content is not a ${claimed} image: it is a ${formats[actual].name} image; rename it to ${formats[actual].extension} or pass a real ${claimed} image.`
      : `The image ${source} is named as a ${claimed} file, but its content is not a ${claimed} image; pass a real image.`,
  });
}

/** Turns task images into message content parts: URLs as they are, files as base64 data URLs. */
export async function imageContentParts(options: {
  images: readonly TaskImage[];
  workspace: string;
}): Promise<ImageContentPart[]> {
  return Promise.all(
    options.images.map(async (image) => {
      if (/^https?:\/\//i.test(image.source))
        return { type: 'image_url' as const, image_url: { url: image.source } };
      const path = resolve(options.workspace, image.source);
      const type = mediaTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
      const data = await readFile(path);
      return {
        type: 'image_url' as const,
        image_url: { url: `data:${type};base64,${data.toString('base64')}` },
      };
    }),
  );
}

/**
 * Refuses images for a role whose provider cannot take them.
 *
 * @throws {UserError} naming the provider, the model and the way out.
 */
export function assertImagesAccepted(options: {
  images: readonly TaskImage[];
  role: string;
  provider: string;
  model: string;
  accepts: boolean;
}): void {
  if (options.images.length === 0 || options.accepts) return;
  throw new UserError({
    code: 'images_unsupported',
    message: `The task carries ${options.images.length} image(s), but the ${options.role} model ${options.model} on '${options.provider}' does not accept images; use a provider that does (Meta Llama API, Together, OpenRouter, vLLM) or drop the images.`,
  });
}
