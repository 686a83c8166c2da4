import { randomUUID } from 'node:crypto';
import type { HerdEventInput } from '@herd/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';

/** Options for {@link createModelTextStreamer}. */
export interface ModelTextStreamerOptions {
  /** Which role's text this is. */
  role: 'planner' | 'actor';
  /** Releases text only after the guard passed it (the run guard's stream guard). */
  guard: (source: AsyncIterable<string>) => AsyncIterable<string>;
  /** Receives `model-text` events. */
  emit: (event: HerdEventInput) => void;
}

/** Streams a model's text to `model-text` events as it is generated, but never ahead of the guard. */
export interface ModelTextStreamer {
  /** The LangChain callback handler to pass with the agent's `callbacks`. */
  handler: BaseCallbackHandler;
  /** Resolves when every stream started so far has been released or stopped. */
  drained(): Promise<void>;
}

/**
 * Creates a streamer: every model call's tokens go through the guard's stream guard, which releases text window by
 * window after scanning it, and what it releases becomes `model-text` events. A block stops that call's stream
 * (the guard middleware then handles the whole reply).
 */
export function createModelTextStreamer(options: ModelTextStreamerOptions): ModelTextStreamer {
  const streams = new Map<string, { push: (text: string) => void; end: (failed: boolean) => void }>();
  const consumers: Promise<void>[] = [];

  const open = (runId: string) => {
    const queue: string[] = [];
    let ended = false;
    let failed = false;
    let wake: (() => void) | undefined;
    const source: AsyncIterable<string> = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length > 0) yield queue.shift()!;
          // A call that failed ends its stream with an error: what the guard or the call-text holder still holds
          // back (a tool call's text, the unscanned end of a window) is dropped, not released as the agent's words.
          if (failed) throw new Error('the model call failed');
          if (ended) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
    };
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    streams.set(runId, {
      push: (text) => {
        queue.push(text);
        notify();
      },
      end: (callFailed) => {
        ended = true;
        failed = callFailed;
        notify();
      },
    });
    consumers.push(
      (async () => {
        try {
          for await (const text of options.guard(source)) {
            if (text.length > 0) options.emit({ type: 'model-text', role: options.role, text });
          }
        } catch {
          // A block stops the stream; the guard's verdict is already an event, and the middleware judges the reply.
        }
      })(),
    );
  };

  const close = (runId: string, failed: boolean) => {
    streams.get(runId)?.end(failed);
    streams.delete(runId);
  };

  class Handler extends BaseCallbackHandler {
    name = `herd-model-text-${randomUUID().slice(0, 8)}`;
    // Makes the chat model stream this call (ChatOpenAI's `streaming: true` would also make it estimate token
    // counts with a tokenizer it downloads, which hangs offline).
    lc_prefer_streaming = true;
    override handleLLMNewToken(token: string, _index: unknown, runId: string): void {
      if (token.length === 0) return;
      if (!streams.has(runId)) open(runId);
      streams.get(runId)!.push(token);
    }
    override handleLLMEnd(_output: unknown, runId: string): void {
      close(runId, false);
    }
    override handleLLMError(_error: unknown, runId: string): void {
      close(runId, true);
    }
  }

  return {
    handler: new Handler(),
    drained: async () => {
      await Promise.all(consumers);
    },
  };
}
