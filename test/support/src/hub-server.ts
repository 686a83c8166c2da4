import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A file of a repository the stand-in Hub serves. */
export interface HubServerFile {
  /** Path inside the repository, e.g. `model.quant.onnx`. */
  path: string;
  content: Buffer;
  /** Stored in LFS (served by a redirect to the CDN, listed with `lfs.sha256`); default: files over 10 kB. */
  lfs?: boolean;
}

/** A repository of the stand-in Hub. */
export interface HubServerRepository {
  /** `owner/name`. */
  id: string;
  files: HubServerFile[];
  /** Only a request with this bearer token may read it (401 without a token, 403 with another). */
  gatedToken?: string;
  /** The commit `main` resolves to; default a hash of the files. */
  commit?: string;
}

/** Faults the stand-in injects. */
export interface HubServerFaults {
  /** Paths whose first CDN download is cut off half-way (the socket is destroyed mid-body). */
  truncateOnce?: string[];
  /** Paths whose CDN bytes differ from what the API lists (the last byte flipped). */
  corrupt?: string[];
}

/** A request the stand-in received. */
export interface HubServerRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

/** A running stand-in for the Hugging Face Hub and its CDN. */
export interface HubServer {
  /** What `HF_ENDPOINT` is set to, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Every request, to the Hub and to the CDN, in order. */
  readonly requests: HubServerRequest[];
  /** Injects faults from now on. */
  faults: HubServerFaults;
  close(): Promise<void>;
}

/**
 * Starts a stand-in for the Hugging Face Hub on 127.0.0.1, in the Hub's own layout: `GET
 * /api/models/<id>/revision/<rev>?blobs=true` (commit `sha` and `siblings` with `size`, `blobId` and `lfs.sha256`),
 * and `GET /<id>/resolve/<rev>/<path>`, which serves small files itself (with `ETag` = the git blob id and
 * `X-Repo-Commit`) and answers LFS files with a 302 to a CDN on another port (with `X-Linked-Etag` = the SHA-256 and
 * `X-Linked-Size`). The CDN honours `Range`. Gated repositories answer 401 without a token and 403 with a wrong one.
 */
export async function startHubServer(options: {
  repositories: HubServerRepository[];
  faults?: HubServerFaults;
}): Promise<HubServer> {
  const requests: HubServerRequest[] = [];
  const truncated = new Set<string>();
  const state: { faults: HubServerFaults } = { faults: options.faults ?? {} };
  const blobs = new Map<string, { file: HubServerFile; repository: HubServerRepository }>();
  const repositories = options.repositories.map((repository) => ({
    ...repository,
    commit:
      repository.commit ??
      createHash('sha1')
        .update(repository.files.map((file) => `${file.path}:${sha256(file.content)}`).join('\n'))
        .digest('hex'),
  }));
  for (const repository of repositories)
    for (const file of repository.files)
      if (isLfs(file)) blobs.set(sha256(file.content), { file, repository });

  const record = (server: 'hub' | 'cdn', request: IncomingMessage) =>
    requests.push({
      server,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      authorization: request.headers.authorization,
      range: request.headers.range,
    });

  const cdn = await listen((request, response) => {
    record('cdn', request);
    const hash = /^\/blobs\/([0-9a-f]{64})$/.exec(request.url ?? '')?.[1];
    const blob = hash ? blobs.get(hash) : undefined;
    if (!blob) return send(response, 404, 'no such blob');
    let content = blob.file.content;
    if (state.faults.corrupt?.includes(blob.file.path)) {
      content = Buffer.from(content);
      content[content.length - 1] = (content[content.length - 1] ?? 0) ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= content.length && content.length > 0) return send(response, 416, 'range not satisfiable');
    const body = content.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    });
    if (state.faults.truncateOnce?.includes(blob.file.path) && !truncated.has(blob.file.path)) {
      truncated.add(blob.file.path);
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
      return;
    }
    response.end(body);
  });

  const hub = await listen((request, response) => {
    record('hub', request);
    const url = new URL(request.url ?? '/', 'http://hub');
    const api = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([\w.-]+\/[\w.-]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const id = api?.[1] ?? resolve?.[1];
    const repository = repositories.find((candidate) => candidate.id === id);
    if (!repository) return send(response, 404, 'Repository not found', { 'x-error-code': 'RepoNotFound' });
    if (repository.gatedToken) {
      const token = request.headers.authorization?.replace(/^Bearer /, '');
      if (!token)
        return send(response, 401, 'Access to this model is restricted.', { 'x-error-code': 'GatedRepo' });
      if (token !== repository.gatedToken)
        return send(response, 403, 'You are not in the authorized list.', { 'x-error-code': 'GatedRepo' });
    }
    const revision = decodeURIComponent(api?.[2] ?? resolve?.[2] ?? '');
    if (revision !== 'main' && revision !== repository.commit)
      return send(response, 404, 'Revision not found', { 'x-error-code': 'RevisionNotFound' });
    if (api) {
      const siblings = repository.files.map((file) => ({
        rfilename: file.path,
        size: file.content.length,
        blobId: gitBlobId(file.content),
        ...(isLfs(file)
          ? { lfs: { sha256: sha256(file.content), size: file.content.length, pointerSize: 134 } }
          : {}),
      }));
      return send(response, 200, JSON.stringify({ id: repository.id, sha: repository.commit, siblings }), {
        'content-type': 'application/json',
      });
    }
    const file = repository.files.find(
      (candidate) => candidate.path === decodeURIComponent(resolve?.[3] ?? ''),
    );
    if (!file) return send(response, 404, 'Entry not found', { 'x-error-code': 'EntryNotFound' });
    const common = { 'x-repo-commit': repository.commit };
    if (isLfs(file)) {
      const hash = sha256(file.content);
      response.writeHead(302, {
        ...common,
        location: `${cdn.url}/blobs/${hash}`,
        'x-linked-etag': `"${hash}"`,
        'x-linked-size': String(file.content.length),
      });
      response.end();
      return;
    }
    response.writeHead(200, {
      ...common,
      etag: `"${gitBlobId(file.content)}"`,
      'content-length': file.content.length,
    });
    response.end(file.content);
  });

  return {
    endpoint: hub.url,
    requests,
    get faults() {
      return state.faults;
    },
    set faults(value) {
      state.faults = value;
    },
    close: async () => {
      await Promise.all([hub.close(), cdn.close()]);
    },
  };
}

function isLfs(file: HubServerFile): boolean {
  return file.lfs ?? file.content.length > 10_000;
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/plain',
    ...headers,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
