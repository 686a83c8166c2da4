// Public API of @herd/test-support: a scripted OpenAI-compatible server for tests and benchmarks, and a stand-in
// for the Hugging Face Hub.

export type {
  HubServer,
  HubServerFaults,
  HubServerFile,
  HubServerRepository,
  HubServerRequest,
} from './hub-server.js';
export { startHubServer } from './hub-server.js';

export type { PostgresTestTarget } from './postgres/postgres-test-url.js';
export { postgresTestUrl, postgresTestUrlVariable } from './postgres/postgres-test-url.js';
export type { StartTestPostgresOptions } from './postgres/start-test-postgres.js';
export { startPostgresScript, startTestPostgres } from './postgres/start-test-postgres.js';
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
export type { WindowedRequest, WindowUse } from './served-window.js';
export { measureRequest, o200kTokens } from './served-window.js';
