import { GuardError } from '@herd/core';
import type { Guard } from '../guard/create-guard.js';
import type { GuardVerdict } from '../guard/guard-verdict.js';
import type { GuardApprovalRequest } from '../middleware/guard-middleware.js';
import type { GuardMode, ScanPoint } from '../policy/guard-policy.js';

/** Options for {@link guardStream}. */
export interface GuardStreamOptions {
  /** The guard. */
  guard: Guard;
  /** Scan point; defaults to `model_output`. */
  point?: ScanPoint;
  /** Mode; defaults to the guard's. */
  mode?: GuardMode;
  /** The user turn the streamed reply answers (for Llama Guard). */
  userTurn?: string;
  /** Characters released per scan; defaults to 1,024. Larger windows mean fewer scans and later text. */
  windowChars?: number;
  /**
   * Characters of context on each side of a window: already released text before it, and held-back text after it,
   * so a phrase or a secret that straddles a boundary is seen whole before any of it is released; defaults to 256.
   */
  overlapChars?: number;
  /** Answers `ask` verdicts; without it `ask` stops the stream like `block`. */
  approve?: (request: GuardApprovalRequest) => Promise<boolean>;
  /** Sees every verdict. */
  onVerdict?: (verdict: GuardVerdict) => void;
}

/**
 * Wraps a stream of model text so that no text is released before the window holding it has been scanned. Each
 * scan covers the window plus `overlapChars` of released text before it and held-back text after it. `redact`
 * verdicts release the window with the hits replaced; `block` (and unapproved `ask`) stops the stream by throwing a
 * {@link GuardError} carrying the verdict's point, scanner and categories, after releasing only what passed.
 *
 * @example
 * for await (const text of guardStream(modelTextChunks, { guard })) process.stdout.write(text);
 */
export async function* guardStream(
  source: AsyncIterable<string>,
  options: GuardStreamOptions,
): AsyncGenerator<string> {
  const {
    guard,
    point = 'model_output',
    windowChars = 1024,
    overlapChars = 256,
    approve,
    onVerdict,
  } = options;
  let pending = '';
  let releasedTail = '';

  async function release(length: number): Promise<string> {
    // Only the window and its lookahead are scanned, never all the text held back: a large chunk must not make every
    // window rescan it (quadratic), and the text scanned for a window must not depend on how the source was chunked.
    const scanned = releasedTail + pending.slice(0, length + overlapChars);
    const verdict = await guard.scan({
      point,
      text: scanned,
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.userTurn !== undefined ? { userTurn: options.userTurn } : {}),
    });
    onVerdict?.(verdict);
    const approved = verdict.action === 'ask' && approve ? await approve({ point, verdict }) : false;
    if (verdict.action === 'block' || (verdict.action === 'ask' && !approved)) {
      const decider = verdict.results.find((result) => result.action === verdict.action);
      throw new GuardError({
        code: 'guard_blocked',
        message: `Herd's guard stopped the stream: ${verdict.reason}`,
        point,
        ...(decider ? { scanner: decider.scanner } : {}),
        categories: decider?.categories ?? [],
      });
    }
    const offset = releasedTail.length;
    let end = offset + length;
    // A redaction that runs past the window's end is released whole, so no part of a secret is left to a later scan.
    for (const span of verdict.redactions) if (span.start < end && span.end > end) end = span.end;
    let released = '';
    let cursor = offset;
    for (const span of [...verdict.redactions].sort((left, right) => left.start - right.start)) {
      if (span.end <= cursor || span.start >= end) continue;
      released += scanned.slice(cursor, Math.max(cursor, span.start));
      released += `[redacted:${span.label}]`;
      cursor = span.end;
    }
    if (cursor < end) released += scanned.slice(cursor, end);
    const consumed = end - offset;
    releasedTail = (releasedTail + pending.slice(0, consumed)).slice(-overlapChars);
    pending = pending.slice(consumed);
    return released;
  }

  for await (const chunk of source) {
    pending += chunk;
    while (pending.length >= windowChars + overlapChars) {
      const text = await release(windowChars);
      if (text.length > 0) yield text;
    }
  }
  while (pending.length > 0) {
    const text = await release(pending.length);
    if (text.length > 0) yield text;
  }
}
