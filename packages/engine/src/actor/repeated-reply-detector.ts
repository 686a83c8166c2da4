/** One tool call of a reply, as the detector compares it. */
export interface ObservedToolCall {
  name: string;
  args: unknown;
}

/** How often the latest reply's tool calls were sent in a row. */
export interface RepeatedReply {
  /** 1 for a reply unlike the one before. */
  count: number;
  /** The calls, short enough for a message, e.g. `read_file {"path":"a.ts"}`. */
  description: string;
}

/** Counts replies whose tool calls are identical (same names, same arguments) to the reply before. */
export interface RepeatedReplyDetector {
  /** Records a reply's tool calls and says how many times in a row they were sent. */
  observe(calls: readonly ObservedToolCall[]): RepeatedReply;
}

/**
 * Creates a detector of a model stuck in a loop: the same tool calls with the same arguments, reply after reply.
 * Arguments are compared by value, whatever the order of their keys.
 */
export function createRepeatedReplyDetector(): RepeatedReplyDetector {
  let previous: string | undefined;
  let count = 0;
  return {
    observe(calls) {
      const key = calls.map((call) => `${call.name} ${stableJson(call.args)}`).join('\n');
      count = key === previous ? count + 1 : 1;
      previous = key;
      const description = key.replaceAll('\n', '; ');
      return { count, description: description.length > 200 ? `${description.slice(0, 200)}…` : description };
    },
  };
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([left], [right]) => left.localeCompare(right)))
      : inner,
  );
}
