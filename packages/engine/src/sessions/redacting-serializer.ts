import type { SecretRedactor } from '@herd/core';
import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';

/**
 * The checkpointer's serializer with secrets taken out of everything it writes: checkpoints (the run's state, the
 * plan, the messages), their metadata and pending writes (the `__error__` channel keeps a failed node's error,
 * which may quote a provider's answer). LangGraph's own JSON serializer does the work; its output is redacted as JSON
 * (parsed, every string redacted), so it stays loadable and a secret held escaped in it is still found. Text with
 * nothing that could be a secret is written as LangGraph made it. Reading is unchanged.
 *
 * @example
 * ```ts
 * const checkpointer = new SqliteSaver(database, createRedactingSerializer(redactor));
 * ```
 */
export function createRedactingSerializer(redactor: SecretRedactor): SerializerProtocol {
  const inner = new JsonPlusSerializer();
  return {
    async dumpsTyped(data) {
      const [type, bytes] = await inner.dumpsTyped(data);
      if (type !== 'json') return [type, bytes];
      const text = new TextDecoder().decode(bytes);
      const redacted = redactor.redactJson(text);
      return [type, redacted === text ? bytes : new TextEncoder().encode(redacted)];
    },
    loadsTyped: (type, data) => inner.loadsTyped(type, data),
  };
}
