import { statusOf } from './is-fallback-worthy.js';

/** Why a model call never got an HTTP answer. */
export interface ConnectionFailure {
  /**
   * `unreachable` when no connection was made or it broke, `blocked_port` when fetch refused the URL's port as
   * unsafe without trying it, `timeout` when the provider did not answer in time.
   */
  kind: 'unreachable' | 'blocked_port' | 'timeout';
  /** A few words for a message, e.g. `connection refused`. */
  reason: string;
  /** The system or fetch error code behind it, e.g. `ECONNREFUSED`, when there is one. */
  code: string | undefined;
}

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  UND_ERR_SOCKET: 'connection closed by the server',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate rejected',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate rejected',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

/**
 * Describes a model call that failed before the provider answered over HTTP: the connection was refused, the
 * host was not found, the connection broke, or the call timed out. `undefined` for anything else, including
 * HTTP errors (they carry a status) and calls the caller aborted.
 *
 * The OpenAI client reports these as `APIConnectionError` ("Connection error.") whose `cause` chain ends in the
 * system error (`ECONNREFUSED`, `ENOTFOUND`, …); LangChain turns the client's timeout into a `TimeoutError`.
 */
export function describeConnectionFailure(error: unknown): ConnectionFailure | undefined {
  if (!(error instanceof Error) || statusOf(error) !== undefined) return undefined;
  if (error.name === 'AbortError') return undefined;
  if (error.name === 'TimeoutError' || error.constructor.name === 'APIConnectionTimeoutError')
    return { kind: 'timeout', reason: 'no answer in time', code: undefined };
  if (error.constructor.name !== 'APIConnectionError' && error.message !== 'Connection error.')
    return undefined;
  const root = rootCause(error);
  const code = typeof root.code === 'string' ? root.code : undefined;
  if (code && reasons[code]) return { kind: 'unreachable', reason: reasons[code], code };
  // undici refuses ports the fetch standard calls unsafe (e.g. 9, 25, 6000) without trying to connect.
  if (root.message === 'bad port') return { kind: 'blocked_port', reason: 'port refused as unsafe', code };
  return { kind: 'unreachable', reason: root.message || 'connection failed', code };
}

function rootCause(error: Error): { code?: unknown; message: string } {
  let current: Error = error;
  for (let depth = 0; depth < 10 && current.cause instanceof Error; depth++) current = current.cause;
  return current as Error & { code?: unknown };
}

/**
 * The text a `model-call` event gives for a failed call: the error's message, plus why no answer came when it was a
 * connection failure ("Connection error. (connection refused)"), so a fallback in the event log says what happened.
 */
export function modelCallErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const failure = describeConnectionFailure(error);
  return failure && !message.includes(failure.reason) ? `${message} (${failure.reason})` : message;
}
