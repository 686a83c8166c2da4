import {
  type HerdEvent,
  type HerdEventInput,
  HerdEventSchema,
  type SecretRedactor,
  SystemError,
} from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { createStreamedTextRedactor, type StreamedTextRedactor } from './streamed-text-redactor.js';

type ModelTextRole = Extract<HerdEventInput, { type: 'model-text' }>['role'];

/** Options for {@link createEventChannel}. */
export interface EventChannelOptions {
  /** The run every event belongs to. */
  runId: string;
  /**
   * Removes secrets from every string in every event, or returns the redactor to use now (a run's redactor learns
   * the configuration's key variables once the configuration is loaded); default: the product's redactor over
   * `process.env` (`createSecretsRedactor` in `@herd/guard`).
   */
  redactor?: SecretRedactor | (() => SecretRedactor);
  /** Called synchronously with each event as it is emitted (e.g. to persist or print it). */
  onEvent?: (event: HerdEvent) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Where a run's events go: stamped, redacted, validated, then delivered to listeners and readers. */
export interface EventChannel extends AsyncIterable<HerdEvent> {
  /**
   * Stamps the event with the run id and time, removes secrets, validates it and delivers it. Streamed model text
   * may be held back (see {@link createEventChannel}); `undefined` when nothing could be delivered yet.
   */
  emit(event: HerdEventInput): HerdEvent | undefined;
  /** Ends the stream; readers finish after the events already emitted. */
  close(): void;
  /** Every event emitted so far. */
  readonly history: readonly HerdEvent[];
}

/**
 * Creates the single event stream of a run. Every front door reads this one stream; nothing reaches a person or
 * a log except through it, so secrets are removed here once. Many readers may iterate it; each sees every event
 * from the start. `model-text` arrives in pieces that may split a secret, so the end of a piece that could begin one
 * is held back until the next piece (or the next event of another kind, or the end) shows what follows.
 */
export function createEventChannel(options: EventChannelOptions): EventChannel {
  const given = options.redactor ?? createSecretsRedactor();
  const redactor = typeof given === 'function' ? given : () => given;
  const now = options.now ?? (() => new Date());
  const history: HerdEvent[] = [];
  const waiters = new Set<() => void>();
  let closed = false;

  const wake = () => {
    for (const waiter of waiters) waiter();
    waiters.clear();
  };

  const deliver = (input: HerdEventInput): HerdEvent => {
    const stamped = redactor().redactValue({ ...input, runId: options.runId, time: now().toISOString() });
    const parsed = HerdEventSchema.safeParse(stamped);
    if (!parsed.success) {
      throw new SystemError({
        code: 'event_invalid',
        cause: parsed.error,
        message: `A ${input.type} event of run ${options.runId} does not match the event schema (${parsed.error.issues[0]?.message ?? 'invalid'}); this is a bug in Herd, please report it.`,
      });
    }
    const event = parsed.data;
    history.push(event);
    options.onEvent?.(event);
    wake();
    return event;
  };

  let streamed: { role: ModelTextRole; text: StreamedTextRedactor } | undefined;
  const flushStreamed = () => {
    if (!streamed) return;
    const { role, text } = streamed;
    streamed = undefined;
    const rest = text.flush();
    if (rest.length > 0) deliver({ type: 'model-text', role, text: rest });
  };

  return {
    history,
    emit(input) {
      if (closed) {
        throw new SystemError({
          code: 'event_channel_closed',
          message: `A ${input.type} event came after run ${options.runId} ended; this is a bug in Herd, please report it.`,
        });
      }
      if (input.type === 'model-text') {
        if (streamed && streamed.role !== input.role) flushStreamed();
        streamed ??= { role: input.role, text: createStreamedTextRedactor(redactor) };
        const text = streamed.text.push(input.text);
        return text.length > 0 ? deliver({ ...input, text }) : undefined;
      }
      // The stream guard's verdicts come between the windows of one reply; anything else ends the reply's text.
      if (input.type !== 'guard-verdict') flushStreamed();
      return deliver(input);
    },
    close() {
      if (!closed) flushStreamed();
      closed = true;
      wake();
    },
    async *[Symbol.asyncIterator]() {
      let index = 0;
      for (;;) {
        while (index < history.length) yield history[index++] as HerdEvent;
        if (closed) return;
        await new Promise<void>((resolve) => waiters.add(resolve));
      }
    },
  };
}
