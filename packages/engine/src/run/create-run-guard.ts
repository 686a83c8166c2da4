import { createHash } from 'node:crypto';
import type { HerdEventInput } from '@herd/core';
import { createAgentGuard, type Guard, type GuardMode, type GuardVerdict, guardStream } from '@herd/guard';
import { type ApprovalMemory, askForApproval } from '../approvals/approval-request.js';
import type { ContentScanner, ScannedFile, ScannerRedaction } from '../context/content-scanner.js';
import type { RunGuard } from './run-context.js';

/** Options for {@link createRunGuard}. */
export interface CreateRunGuardOptions {
  guard: Guard;
  /** `ci` is fail-closed and never asks; `plan` and `act` may ask a person. */
  mode: GuardMode;
  /** Whether a person can be asked (an `ask` verdict is a block otherwise). */
  interactive: boolean;
  memory: ApprovalMemory;
  emit: (event: HerdEventInput) => void;
}

/**
 * Connects `@herd/guard` to a run: the task is checked at `user_input`, repository files at `repo_content` while
 * packing, and everything inside the agents (model input and output, tool calls, tool outputs) by the agent guard. Every verdict that is not a plain `allow` becomes a `guard-verdict` event; `ask` verdicts become
 * approval requests.
 */
export function createRunGuard(options: CreateRunGuardOptions): RunGuard {
  const { guard, mode, emit } = options;
  const blocks: Array<{ point: GuardVerdict['point']; reason: string }> = [];
  const report = (verdict: GuardVerdict, source?: string) => {
    if (verdict.action === 'block')
      blocks.push({ point: verdict.point, reason: source ? `${source}: ${verdict.reason}` : verdict.reason });
    for (const result of verdict.results) {
      if (result.action === 'allow') continue;
      emit({
        type: 'guard-verdict',
        point: verdict.point,
        scanner: result.scanner,
        action: result.action,
        ...(result.score !== null ? { score: result.score } : {}),
        categories: result.categories,
        reason: source ? `${source}: ${result.reason ?? verdict.reason}` : (result.reason ?? verdict.reason),
        ...(source ? { source } : {}),
      });
    }
  };
  const ask = (verdict: GuardVerdict, subject: string): boolean =>
    options.interactive &&
    askForApproval({
      memory: options.memory,
      request: {
        requestId: `guard-${verdict.point}-${verdict.contentSha256.slice(0, 16)}`,
        kind: 'guard',
        title: `The guard flagged ${subject} at ${verdict.point}. Let it through?`,
        detail: verdict.reason,
      },
    }) !== 'reject';

  // Files the packer offers at once go to the guard in batches: each batch's local scanners run here while Prompt
  // Guard's worker threads score the batches before it.
  const scanFile = batchScans(guard, mode);
  const contentScanner: ContentScanner = async (file) => {
    const source = file.part === 'symbols' ? `${file.path} (its symbols in the repository map)` : file.path;
    const verdict = await scanFile({ ...file, path: source });
    report(verdict, source);
    const redactions: ScannerRedaction[] = verdict.redacted
      ? verdict.redactions.map((span) => ({
          line: lineOf(file.content, span.start),
          rule: span.label,
          text: file.content.slice(span.start, span.end),
        }))
      : [];
    const flagged =
      verdict.action === 'warn' || verdict.action === 'ask' || verdict.action === 'block'
        ? verdict.results
            .filter((result) => result.action !== 'allow')
            .map((result) => result.reason ?? result.scanner)
        : [];
    return { redactions, flagged, ...(verdict.action === 'block' ? { exclude: true } : {}) };
  };

  return {
    blocks,
    contentScanner,
    contentScannerKey: createHash('sha256')
      .update(JSON.stringify({ policy: guard.policy, classifiers: guard.classifiers, mode }))
      .digest('hex'),
    stream: (source) =>
      guardStream(source, {
        guard,
        point: 'model_output',
        mode,
        onVerdict: (verdict) => report(verdict),
        ...(options.interactive ? { approve: async (request) => ask(request.verdict, 'streamed text') } : {}),
      }),
    async check({ point, text, images }) {
      const verdict = await guard.scan({
        point,
        text,
        mode,
        ...(images && images.length > 0 ? { images } : {}),
      });
      report(verdict);
      if (verdict.action === 'ask') {
        return ask(verdict, 'the input')
          ? { action: 'allow', text }
          : { action: 'block', text, reason: verdict.reason };
      }
      return { action: verdict.action, text: verdict.text, reason: verdict.reason };
    },
    agent: createAgentGuard({
      guard,
      mode,
      onVerdict: (verdict) => report(verdict),
      ...(options.interactive
        ? {
            approve: async (request) =>
              ask(request.verdict, request.toolName ? `the ${request.toolName} call` : 'content'),
          }
        : {}),
    }),
  };
}

// Files per `scanMany`: large enough that a batch's windows keep Prompt Guard's workers busy, small enough that the
// local scanners of the next batch run here while the workers score this one.
const batchFiles = 32;

/**
 * Collects the repository files asked for in the same turn of the event loop and scans them with `guard.scanMany`
 * in batches of {@link batchFiles}: each scanner runs once over a batch, and the batches overlap.
 */
function batchScans(guard: Guard, mode: GuardMode): (file: ScannedFile) => Promise<GuardVerdict> {
  let waiting: Array<{
    file: ScannedFile;
    resolve: (verdict: GuardVerdict) => void;
    reject: (error: unknown) => void;
  }> = [];
  const flush = () => {
    const batch = waiting;
    waiting = [];
    guard
      .scanMany(
        batch.map(({ file }) => ({
          point: 'repo_content' as const,
          text: file.content,
          mode,
          source: file.path,
        })),
      )
      .then(
        (verdicts) => {
          for (const [index, entry] of batch.entries()) entry.resolve(verdicts[index] as GuardVerdict);
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      );
  };
  let scheduled = false;
  return (file) =>
    new Promise((resolve, reject) => {
      waiting.push({ file, resolve, reject });
      if (waiting.length >= batchFiles) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (waiting.length > 0) flush();
        });
      }
    });
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++)
    if (text.charCodeAt(index) === 10) line++;
  return line;
}
