/** A tool call the scripted model makes through the OpenAI `tool_calls` field. */
export interface ScriptedToolCall {
  /** Call id; generated when omitted. */
  id?: string;
  /** Function name. */
  name: string;
  /** Arguments as a JSON string, or an object that is serialized. */
  arguments: string | Record<string, unknown>;
}

/** Token usage reported for a turn; estimated from the request and reply when omitted. */
export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

/** An ordinary reply: text, tool calls, or both. */
export interface ScriptedMessageTurn {
  /** Assistant text (for Llama 4 text tool calls, the pythonic list goes here). */
  content?: string;
  /** Native tool calls. */
  toolCalls?: ScriptedToolCall[];
  /** Reported usage. */
  usage?: ScriptedUsage;
  /** `stop`, `tool_calls` or `length`; derived from the reply when omitted. */
  finishReason?: 'stop' | 'tool_calls' | 'length';
  /** Characters per streamed content delta (default 8). */
  chunkSize?: number;
}

/** A failure the server injects instead of replying. */
export type ScriptedFault =
  /** 429 with a `retry-after` header. */
  | { fault: 'rate_limit'; retryAfterSeconds?: number }
  /** An HTTP error status (default 500). */
  | { fault: 'server_error'; status?: number; message?: string }
  /** A 400 that says the prompt is longer than the model's window, as vLLM and OpenAI phrase it. */
  | { fault: 'context_length'; maxTokens?: number }
  /** The socket is destroyed: before any byte, or for a stream after `afterChunks` deltas of `content`. */
  | { fault: 'drop_connection'; content?: string; afterChunks?: number }
  /** Nothing is sent for `ms` milliseconds, then the `then` turn (if any) is served. */
  | { fault: 'stall'; ms: number; then?: ScriptedMessageTurn }
  /** A 200 whose body (or SSE data line) is not valid JSON. */
  | { fault: 'malformed_json' };

/** One scripted turn of the model. */
export type ScriptedTurn = ScriptedMessageTurn | ScriptedFault;

/** A Meta-style moderation result (`POST /v1/moderations`). */
export interface ScriptedModeration {
  flagged: boolean;
  /** Category names or codes, e.g. `['S1']`. */
  flagged_categories?: string[];
}

/** A request the server received, kept for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or `undefined` when there was none. */
  body: unknown;
  /** Raw body text. */
  rawBody: string;
}

/** True when the turn is a fault rather than a reply. */
export function isScriptedFault(turn: ScriptedTurn): turn is ScriptedFault {
  return 'fault' in turn;
}
