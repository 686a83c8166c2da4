import {
  type HerdEvent,
  type HerdEventInput,
  HerdEventSchema,
  type SecretRedactor,
  SystemError,
} from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';

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
  /** Stamps the event with the run id and time, removes secrets, validates it and delivers it. */
  emit(event: HerdEventInput): HerdEvent;
  /** Ends the stream; readers finish after the events already emitted. */
  close(): void;
  /** Every event emitted so far. */
  readonly history: readonly HerdEvent[];
}

/**
 * Creates the single event stream of a run. Every front door reads this one stream; nothing reaches a person or
 * a log except through it, so secrets are removed here once. Many readers may iterate it; each sees every event
 * from the start.
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

  return {
    history,
    emit(input) {
      if (closed) {
        throw new SystemError({
          code: 'event_channel_closed',
          message: `A ${input.type} event came after run ${options.runId} ended; this is a bug in Herd, please report it.`,
        });
      }
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
    },
    close() {
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
