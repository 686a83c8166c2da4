// Public API of @herd/test-support: a scripted OpenAI-compatible server for tests and benchmarks.
export type {
  ChatCompletionRequestBody,
  ScriptedResponder,
  ScriptedServer,
  ScriptedServerOptions,
} from './scripted-server.js';
export { startScriptedServer } from './scripted-server.js';
export type {
  RecordedRequest,
  ScriptedFault,
  ScriptedMessageTurn,
  ScriptedModeration,
  ScriptedToolCall,
  ScriptedTurn,
  ScriptedUsage,
} from './scripted-turn.js';
export { isScriptedFault } from './scripted-turn.js';
