// The body of one Prompt Guard worker thread (see `createPromptGuardWorkers`): it loads its own onnxruntime session
// and tokenizer, then scores the texts the parent sends, one job at a time, and answers with plain data.
import { parentPort, workerData } from 'node:worker_threads';
import { HerdError } from '@herd/core';
import { createPromptGuardClassifier, type PromptGuardClassifier } from './prompt-guard-classifier.js';
import type { WorkerReply, WorkerRequest, WorkerStart } from './prompt-guard-workers.js';

const port = parentPort;
if (port) {
  const post = (reply: WorkerReply) => port.postMessage(reply);
  const start = workerData as WorkerStart;
  let classifier: PromptGuardClassifier | undefined;
  try {
    classifier = await createPromptGuardClassifier(start.options);
  } catch (error) {
    post({ type: 'failed', error: describeError(error) });
  }
  if (classifier) {
    const loaded = classifier;
    port.on('message', (request: WorkerRequest) => {
      loaded.scoreTexts(request.texts).then(
        (scores) => post({ type: 'scores', id: request.id, scores }),
        (error: unknown) => post({ type: 'error', id: request.id, error: describeError(error) }),
      );
    });
    post({
      type: 'ready',
      fingerprint: loaded.fingerprint,
      label: loaded.label,
      modelFile: loaded.modelFile,
    });
  }
}

/** An error as plain data, so the parent can rebuild it with its code, hint and source. */
function describeError(error: unknown): Extract<WorkerReply, { type: 'failed' }>['error'] {
  if (HerdError.isInstance(error)) {
    const source = (error as { source?: unknown }).source;
    return {
      code: error.code,
      blame: error.blame,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(typeof source === 'string' ? { source } : {}),
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
