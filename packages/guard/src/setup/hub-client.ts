import { SystemError, UserError } from '@herd/core';
import { z } from 'zod';

/** Where the Hugging Face Hub is and who is asking. */
export interface HubConnection {
  /** Base URL, e.g. `https://huggingface.co` (or a mirror from `HF_ENDPOINT`). */
  endpoint: string;
  /** A read token (`HF_TOKEN`), sent only to the endpoint's own origin; needed for gated repositories. */
  token: string | undefined;
}

/** One file of a repository at a revision, as the Hub lists it. */
export interface HubFile {
  /** Path inside the repository, e.g. `onnx/model.onnx`. */
  path: string;
  /** Size in bytes (of the LFS object for LFS files), when listed. */
  size: number | undefined;
  /** SHA-256 of an LFS file's content, hex. */
  sha256: string | undefined;
  /** Git blob id (SHA-1 of `blob <size>\0<content>`) of a file kept in git itself. */
  blobId: string | undefined;
}

/** A repository pinned to one commit, with its files. */
export interface HubRevision {
  /** The repository, e.g. `gravitee-io/Llama-Prompt-Guard-2-22M-onnx`. */
  repository: string;
  /** The commit the revision resolved to (40 hex digits). */
  commit: string;
  files: HubFile[];
}

const RevisionInfoSchema = z.object({
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  siblings: z
    .array(
      z
        .object({
          rfilename: z.string().min(1),
          size: z.number().int().nonnegative().optional(),
          blobId: z.string().optional(),
          lfs: z
            .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })
            .loose()
            .optional(),
        })
        .loose(),
    )
    .default([]),
});

const defaultEndpoint = 'https://huggingface.co';

/**
 * The Hub connection from the environment: `HF_ENDPOINT` (a mirror) or huggingface.co, and `HF_TOKEN` (or the
 * older `HUGGING_FACE_HUB_TOKEN`).
 *
 * @throws UserError `hub_endpoint_insecure` for an `http://` endpoint that is not this machine: model files are
 *   fetched over HTTPS only.
 */
export function hubConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): HubConnection {
  const endpoint = (env.HF_ENDPOINT?.trim() || defaultEndpoint).replace(/\/+$/, '');
  assertSecureUrl(endpoint, 'HF_ENDPOINT');
  const token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
  return { endpoint, token };
}

/**
 * Throws unless the URL is `https:`, or `http:` to this machine (a local mirror or a test server).
 *
 * @throws UserError `hub_endpoint_insecure`.
 */
export function assertSecureUrl(url: string, setting: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError({
      code: 'hub_endpoint_invalid',
      message: `${setting} '${url}' is not a URL; use https://huggingface.co or your mirror's https address.`,
    });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback)) return;
  throw new UserError({
    code: 'hub_endpoint_insecure',
    message: `${setting} '${url}' is not HTTPS; model files are downloaded over HTTPS only (plain http is accepted for 127.0.0.1 and localhost).`,
  });
}

/**
 * Resolves a revision (a branch, tag or commit) of a model repository to its commit and file list with sizes and
 * hashes: `GET /api/models/<repository>/revision/<revision>?blobs=true`.
 *
 * @throws UserError `hub_unauthorized` (gated or private, no token or a refused one), `hub_forbidden` (the token's
 *   account has not been granted access), `hub_not_found`; SystemError `hub_unreachable` or `hub_failed`.
 */
export async function fetchHubRevision(options: {
  hub: HubConnection;
  repository: string;
  revision: string;
}): Promise<HubRevision> {
  const { hub, repository, revision } = options;
  const url = `${hub.endpoint}/api/models/${repository}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const response = await hubFetch(hub, url, repository);
  if (!response.ok) throw await hubError({ hub, repository, revision, response });
  const parsed = RevisionInfoSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new SystemError({
      code: 'hub_failed',
      message: `${hub.endpoint} answered the revision query for ${repository} without a commit and file list; check that HF_ENDPOINT is a Hugging Face Hub or a full mirror of it.`,
    });
  }
  return {
    repository,
    commit: parsed.data.sha,
    files: parsed.data.siblings.map((sibling) => ({
      path: sibling.rfilename,
      size: sibling.lfs?.size ?? sibling.size,
      sha256: sibling.lfs?.sha256,
      blobId: sibling.blobId,
    })),
  };
}

/** A GET to the Hub with the token, turning a failed connection into an error naming the endpoint. */
export async function hubFetch(
  hub: HubConnection,
  url: string,
  repository: string,
  init: { headers?: Record<string, string>; redirect?: 'follow' | 'manual'; signal?: AbortSignal } = {},
): Promise<Response> {
  const sameOrigin = new URL(url).origin === new URL(hub.endpoint).origin;
  try {
    return await fetch(url, {
      ...init,
      headers: {
        'user-agent': 'herd-guard-setup',
        ...(hub.token && sameOrigin ? { authorization: `Bearer ${hub.token}` } : {}),
        ...init.headers,
      },
    });
  } catch (error) {
    throw new SystemError({
      code: 'hub_unreachable',
      message: `Cannot reach ${new URL(url).origin} for ${repository} (${describeCause(error)}); check the network, or set HF_ENDPOINT to a mirror you can reach.`,
      cause: error,
    });
  }
}

/** The error for a Hub answer that is not a success, with what to do about it. */
export async function hubError(options: {
  hub: HubConnection;
  repository: string;
  revision: string;
  response: Response;
  file?: string;
}): Promise<UserError | SystemError> {
  const { hub, repository, revision, response, file } = options;
  const what = file ? `${file} of ${repository}` : repository;
  const page = `${hub.endpoint}/${repository}`;
  const words = (await response.text().catch(() => '')).trim().slice(0, 200);
  if (response.status === 401) {
    return new UserError({
      code: 'hub_unauthorized',
      message: hub.token
        ? `The Hub refused HF_TOKEN for ${what} (HTTP 401); create a read token at ${hub.endpoint}/settings/tokens and export HF_TOKEN=<token>.`
        : `${what} is gated or private (HTTP 401 without a token); accept its license at ${page}, then export HF_TOKEN=<a read token from ${hub.endpoint}/settings/tokens> and run again.`,
    });
  }
  if (response.status === 403) {
    return new UserError({
      code: 'hub_forbidden',
      message: `HF_TOKEN's account has no access to ${what} (HTTP 403); accept the license at ${page} with that account (gated access is granted per account) and run again.`,
    });
  }
  if (response.status === 404) {
    return new UserError({
      code: 'hub_not_found',
      message: `${hub.endpoint} has no ${file ? `file ${file} in ` : ''}model repository '${repository}' at revision '${revision}'${words ? ` (${words})` : ''}; check the name given with --from.`,
    });
  }
  return new SystemError({
    code: 'hub_failed',
    message: `${hub.endpoint} answered HTTP ${response.status} for ${what}${words ? `: ${words}` : ''}; try again later.`,
  });
}

function describeCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return `${code}: ${current.message}`;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}
