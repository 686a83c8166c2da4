import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SystemError } from '@herd/core';
import { assertSecureUrl, type HubConnection, type HubFile, hubError, hubFetch } from './hub-client.js';

/** Progress of one file: bytes on disk so far (resumed bytes included) and the expected total. */
export type DownloadProgress = (progress: {
  file: string;
  received: number;
  total: number | undefined;
}) => void;

/** Options for {@link downloadHubFile}. */
export interface DownloadHubFileOptions {
  hub: HubConnection;
  repository: string;
  /** The pinned commit (never a branch: the file must be the one the hashes describe). */
  commit: string;
  file: HubFile;
  /** Where the verified file ends up. */
  destination: string;
  /** Bytes received so far are kept here between attempts and runs; a later run resumes from them. */
  partialPath: string;
  /** Attempts before giving up on a connection that keeps breaking; default 5. */
  attempts?: number;
  onProgress?: DownloadProgress;
}

/** What was downloaded. */
export interface DownloadedFile {
  size: number;
  sha256: string;
}

const redirects = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads one file of a repository at a commit (`<endpoint>/<repository>/resolve/<commit>/<path>`), following the
 * Hub's redirect to its CDN (the token is never sent to another origin, and every hop must be HTTPS). A partial
 * download is resumed with `Range: bytes=<n>-`, also after the connection breaks mid-file. The result is checked
 * against the hashes the Hub listed (the LFS SHA-256, or the git blob id for small files) and against the ETag the
 * Hub sent; only then is it moved to `destination`.
 *
 * @throws SystemError `model_hash_mismatch` (the partial file is deleted, so a rerun starts afresh),
 *   `download_incomplete` after `attempts` broken connections, `hub_redirect_invalid`; Hub errors from `hubError`.
 */
export async function downloadHubFile(options: DownloadHubFileOptions): Promise<DownloadedFile> {
  const { file, partialPath, destination } = options;
  const attempts = options.attempts ?? 5;
  let announced = '';
  for (let attempt = 1; ; attempt++) {
    const have = existsSync(partialPath) ? statSync(partialPath).size : 0;
    if (file.size !== undefined && have > file.size) await truncate(partialPath, 0);
    const complete = file.size !== undefined && have === file.size;
    if (!complete) {
      try {
        announced = (await fetchInto({ ...options, offset: have })) ?? announced;
      } catch (error) {
        if (!(error instanceof BrokenTransfer) || attempt >= attempts) {
          if (error instanceof BrokenTransfer) {
            throw new SystemError({
              code: 'download_incomplete',
              message: `The download of ${file.path} from ${options.repository} broke off ${attempts} times (${error.message}); run the same command again to resume from the ${statSync(partialPath).size} bytes kept.`,
              cause: error,
            });
          }
          throw error;
        }
        continue;
      }
    }
    const size = statSync(partialPath).size;
    if (file.size !== undefined && size < file.size) {
      if (attempt >= attempts) {
        throw new SystemError({
          code: 'download_incomplete',
          message: `The server sent ${size} of ${file.size} bytes of ${file.path} ${attempts} times; run the same command again to resume.`,
        });
      }
      continue;
    }
    const verified = await verify({ ...options, announced });
    await rename(partialPath, destination);
    return verified;
  }
}

/** A connection that broke before the whole body arrived: worth resuming. */
class BrokenTransfer extends Error {}

/** Requests the file from `offset` on and appends the body; returns the hash the Hub announced in its headers. */
async function fetchInto(options: DownloadHubFileOptions & { offset: number }): Promise<string | undefined> {
  const { hub, repository, commit, file, partialPath, offset } = options;
  let url = `${hub.endpoint}/${repository}/resolve/${commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
  let announced: string | undefined;
  let response: Response | undefined;
  for (let hop = 0; hop < 6; hop++) {
    assertSecureUrl(url, 'the download URL');
    try {
      response = await hubFetch(hub, url, repository, {
        redirect: 'manual',
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      });
    } catch (error) {
      throw new BrokenTransfer(error instanceof Error ? error.message : String(error));
    }
    // The Hub names an LFS file's SHA-256 in X-Linked-Etag on its redirect, a small file's git id in ETag.
    announced ??= etagHash(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
    if (!redirects.has(response.status)) break;
    const location = response.headers.get('location');
    if (!location) {
      throw new SystemError({
        code: 'hub_redirect_invalid',
        message: `${hub.endpoint} redirected the download of ${file.path} without a Location; try again later.`,
      });
    }
    url = new URL(location, url).toString();
    await response.body?.cancel();
  }
  if (!response || redirects.has(response.status)) {
    throw new SystemError({
      code: 'hub_redirect_invalid',
      message: `The download of ${file.path} was redirected too many times; check HF_ENDPOINT.`,
    });
  }
  if (response.status === 416 && offset > 0) {
    // The kept bytes are no prefix the server recognises: start over.
    await response.body?.cancel();
    await truncate(partialPath, 0);
    throw new BrokenTransfer('the server refused to resume; starting over');
  }
  if (response.status !== 200 && response.status !== 206) {
    throw await hubError({ hub, repository, revision: commit, response, file: file.path });
  }
  const resumed = response.status === 206;
  if (resumed && !response.headers.get('content-range')?.startsWith(`bytes ${offset}-`)) {
    await response.body?.cancel();
    await truncate(partialPath, 0);
    throw new BrokenTransfer('the server resumed at another offset; starting over');
  }
  if (!resumed && offset > 0) await truncate(partialPath, 0);
  let received = resumed ? offset : 0;
  options.onProgress?.({ file: file.path, received, total: file.size });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      options.onProgress?.({ file: file.path, received, total: file.size });
      done(null, chunk);
    },
  });
  if (!response.body) throw new BrokenTransfer('no body');
  const output = createWriteStream(partialPath, { flags: resumed ? 'a' : 'w' });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      counter,
      output,
    );
  } catch (error) {
    // A write already handed to the file system may land after the pipeline gave up: the next attempt measures the
    // kept bytes only once the file is closed, or it would ask for, and append, some bytes twice.
    if (!output.closed) await new Promise<void>((resolve) => output.once('close', () => resolve()));
    throw new BrokenTransfer(error instanceof Error ? error.message : String(error));
  }
  return announced;
}

/** Checks the finished partial file against the listed and announced hashes; deletes it on a mismatch. */
async function verify(options: DownloadHubFileOptions & { announced: string }): Promise<DownloadedFile> {
  const { file, partialPath, repository, commit } = options;
  const size = statSync(partialPath).size;
  const sha256 = await hashFile(partialPath, 'sha256');
  const problems: string[] = [];
  if (file.sha256 && sha256 !== file.sha256)
    problems.push(`SHA-256 ${sha256}, but the Hub lists ${file.sha256}`);
  if (file.sha256 && options.announced.length === 64 && options.announced !== sha256)
    problems.push(`SHA-256 ${sha256}, but the download announced ${options.announced}`);
  if (!file.sha256) {
    const blobId = await hashFile(partialPath, 'sha1', `blob ${size}\0`);
    if (file.blobId && blobId !== file.blobId)
      problems.push(`git blob id ${blobId}, but the Hub lists ${file.blobId}`);
    else if (options.announced.length === 40 && options.announced !== blobId)
      problems.push(`git blob id ${blobId}, but the download announced ${options.announced}`);
  }
  if (problems.length > 0) {
    await rm(partialPath, { force: true });
    throw new SystemError({
      code: 'model_hash_mismatch',
      message: `${file.path} of ${repository} at ${commit.slice(0, 12)} has ${problems.join('; ')}: the download is corrupt or was tampered with, so nothing was installed; run again to download it afresh, or check HF_ENDPOINT.`,
    });
  }
  return { size, sha256 };
}

async function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The hash inside an ETag (`"abc…"` or `W/"abc…"`), when it is one. */
function etagHash(etag: string | null): string | undefined {
  const value = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return value && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value) ? value : undefined;
}
