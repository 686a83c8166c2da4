// Public API of @herd/guard. Every export is listed by name; a new export here is new public API.

export { compactWhitespace } from './prompt-guard/compact-whitespace.js';
// ---- Prompt Guard 2 (local ONNX classifier) ----
export type {
  PromptGuardClassifier,
  PromptGuardClassifierOptions,
  PromptGuardScore,
} from './prompt-guard/prompt-guard-classifier.js';
export { createPromptGuardClassifier, softmax } from './prompt-guard/prompt-guard-classifier.js';
export type {
  SequenceClassifierModel,
  SequenceClassifierModelOptions,
} from './prompt-guard/sequence-classifier-model.js';
export { loadSequenceClassifierModel } from './prompt-guard/sequence-classifier-model.js';
export type { SplitTokenWindowsOptions, TokenWindow } from './prompt-guard/split-token-windows.js';
export { splitTokenWindows } from './prompt-guard/split-token-windows.js';
