import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as acp from '@agentclientprotocol/sdk';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** One message the agent sent that the official ACP schema rejects. */
export interface AcpSchemaViolation {
  /** The method the message is (or answers). */
  method: string;
  /** What kind of message: a request or notification the agent sent, or its response to the editor. */
  direction: 'request' | 'notification' | 'response';
  message: acp.AnyMessage;
  /** The schema's complaints, as `path: problem`. */
  issues: string[];
}

interface SchemaDefinition {
  'x-method'?: string;
  'x-side'?: 'agent' | 'client' | 'protocol';
  oneOf?: { properties?: { sessionUpdate?: { const?: string } } }[];
}

// The JSON Schema the SDK publishes (`./schema/v1/schema.json`), not its zod schemas: those are generated for
// lenient reading (an unknown enum value falls back to a default), so they accept what a strict editor refuses.
const schemaPath = createRequire(import.meta.url).resolve('@agentclientprotocol/sdk/schema/v1/schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $defs: Record<string, SchemaDefinition> };

tightenProseRules(schema.$defs);

const ajv = new Ajv2020({ strict: false, allErrors: true });
// The schema's integer and float formats are Rust widths; their ranges are already given by minimum/maximum.
for (const format of ['int32', 'int64', 'uint16', 'uint32', 'uint64', 'double', 'uri'])
  ajv.addFormat(format, true);
ajv.addSchema(schema, 'acp');

/** Validators by method: what the agent may send (requests, notifications) and answer (responses). */
const agentSends = new Map<string, ValidateFunction>();
const agentAnswers = new Map<string, ValidateFunction>();
for (const [name, definition] of Object.entries(schema.$defs)) {
  const method = definition['x-method'];
  if (!method) continue;
  const validate = () => ajv.compile({ $ref: `acp#/$defs/${name}` });
  // `protocol` messages (`$/cancel_request`) go both ways.
  const toClient = definition['x-side'] === 'client' || definition['x-side'] === 'protocol';
  if (toClient && /(Request|Notification)$/.test(name)) agentSends.set(method, validate());
  if (definition['x-side'] === 'agent' && name.endsWith('Response')) agentAnswers.set(method, validate());
}
// A session update is checked against the variant its `sessionUpdate` names, so a failure says what is wrong
// with that variant instead of why it matches none of the others.
const sessionUpdates = new Map(
  (schema.$defs.SessionUpdate?.oneOf ?? []).map((variant, index) => [
    String(variant.properties?.sessionUpdate?.const),
    ajv.compile({ $ref: `acp#/$defs/SessionUpdate/oneOf/${index}` }),
  ]),
);
const errorResponse = ajv.compile({ $ref: 'acp#/$defs/Error' });
const requestId = ajv.compile({ $ref: 'acp#/$defs/RequestId' });

/** What the official schema finds wrong with one session update (by its `sessionUpdate` kind); empty if nothing. */
export function sessionUpdateIssues(update: unknown): string[] {
  const kind = String((update as { sessionUpdate?: unknown } | undefined)?.sessionUpdate);
  const variant = sessionUpdates.get(kind);
  if (!variant) return [`/sessionUpdate: no such kind '${kind}'`];
  return variant(update) ? [] : describeIssues(variant.errors ?? []);
}

/**
 * Checks every message an agent sends an editor against the official ACP schema: each request and notification
 * by its method's params, each response by the method of the editor's request it answers (an error by the
 * JSON-RPC error object). Wrap the editor's stream with `watch`; read `violations` when the exchange is over.
 */
export interface AcpSchemaConformance {
  /** The editor's stream, with both directions observed (the messages pass through unchanged). */
  watch(stream: acp.Stream): acp.Stream;
  /** Notes a message the editor sent (only its requests matter: they say what each response answers). */
  editorSent(message: acp.AnyMessage): void;
  /** Checks a message the agent sent. */
  agentSent(message: acp.AnyMessage): void;
  readonly violations: readonly AcpSchemaViolation[];
}

/** Starts a conformance check for one editor connection. */
export function checkAcpSchemaConformance(): AcpSchemaConformance {
  const violations: AcpSchemaViolation[] = [];
  const editorRequests = new Map<string | number | null, string>();

  const reject = (violation: AcpSchemaViolation) => violations.push(violation);
  const check = (options: {
    validate: ValidateFunction;
    value: unknown;
    method: string;
    direction: AcpSchemaViolation['direction'];
    message: acp.AnyMessage;
  }): boolean => {
    if (options.validate(options.value)) return true;
    reject({
      method: options.method,
      direction: options.direction,
      message: options.message,
      issues: describeIssues(options.validate.errors ?? []),
    });
    return false;
  };

  const fromAgent = (message: acp.AnyMessage) => {
    const record = message as Record<string, unknown>;
    const envelope = envelopeIssues(record);
    if ('method' in message) {
      const direction = 'id' in message ? 'request' : 'notification';
      const validate = agentSends.get(message.method);
      if (envelope.length > 0) reject({ method: message.method, direction, message, issues: envelope });
      // Extension methods start with `_` and carry whatever they define.
      if (message.method.startsWith('_')) return;
      if (!validate) {
        reject({
          method: message.method,
          direction,
          message,
          issues: ['no such agent-to-client method in ACP'],
        });
        return;
      }
      if (message.method === 'session/update') {
        const update = (record.params as { update?: { sessionUpdate?: unknown } } | undefined)?.update;
        const kind = String(update?.sessionUpdate);
        const variant = sessionUpdates.get(kind);
        if (!variant) {
          reject({
            method: message.method,
            direction,
            message,
            issues: [`/update/sessionUpdate: no such kind '${kind}'`],
          });
          return;
        }
        const method = `session/update ${kind}`;
        if (!check({ validate: variant, value: update, method, direction, message })) return;
      }
      check({ validate, value: record.params, method: message.method, direction, message });
      return;
    }
    const method = editorRequests.get(message.id) ?? 'unknown request';
    editorRequests.delete(message.id);
    if (envelope.length > 0) reject({ method, direction: 'response', message, issues: envelope });
    if ('error' in message) {
      check({ validate: errorResponse, value: message.error, method, direction: 'response', message });
      return;
    }
    const validate = agentAnswers.get(method);
    if (!validate) {
      if (!method.startsWith('_'))
        reject({ method, direction: 'response', message, issues: ['answers no request the editor sent'] });
      return;
    }
    check({ validate, value: record.result, method, direction: 'response', message });
  };

  const fromEditor = (message: acp.AnyMessage) => {
    if ('method' in message && 'id' in message) editorRequests.set(message.id, message.method);
  };

  return {
    violations,
    editorSent: fromEditor,
    agentSent: fromAgent,
    watch(stream) {
      const toAgent = new TransformStream<acp.AnyMessage, acp.AnyMessage>({
        transform(message, controller) {
          fromEditor(message);
          controller.enqueue(message);
        },
      });
      const fromAgentStream = new TransformStream<acp.AnyMessage, acp.AnyMessage>({
        transform(message, controller) {
          fromAgent(message);
          controller.enqueue(message);
        },
      });
      void toAgent.readable.pipeTo(stream.writable).catch(() => {});
      return { writable: toAgent.writable, readable: stream.readable.pipeThrough(fromAgentStream) };
    },
  };
}

/** Checks a transcript written by `fixtures/acp-wire-tap.mjs`: what the agent said, in the order it was said. */
export function acpTranscriptViolations(transcript: string): readonly AcpSchemaViolation[] {
  const conformance = checkAcpSchemaConformance();
  for (const line of transcript.split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { from: 'editor' | 'agent'; message: acp.AnyMessage };
    if (entry.from === 'editor') conformance.editorSent(entry.message);
    else conformance.agentSent(entry.message);
  }
  return conformance.violations;
}

/** Renders violations for a failed test: method, the message as sent, the schema's issues. */
export function describeAcpSchemaViolations(violations: readonly AcpSchemaViolation[]): string {
  return violations
    .map(
      (violation) =>
        `${violation.direction} ${violation.method} breaks the ACP schema:\n  ${violation.issues.join('\n  ')}\n  message: ${JSON.stringify(violation.message)}`,
    )
    .join('\n');
}

function envelopeIssues(message: Record<string, unknown>): string[] {
  const issues: string[] = [];
  if (message.jsonrpc !== '2.0')
    issues.push(`/jsonrpc: must be "2.0", is ${JSON.stringify(message.jsonrpc)}`);
  if ('id' in message && !requestId(message.id)) issues.push('/id: must be a string, a number or null');
  if (!('method' in message) && 'result' in message === 'error' in message)
    issues.push('a response must have exactly one of result and error');
  return issues;
}

function describeIssues(errors: readonly ErrorObject[]): string[] {
  // Alternatives that failed (anyOf/oneOf) repeat every branch's complaint; the most specific ones come first.
  const seen = new Set<string>();
  const issues: string[] = [];
  for (const error of errors) {
    const issue = `${error.instancePath || '/'}: ${error.message ?? error.keyword}${
      error.keyword === 'const' || error.keyword === 'enum' ? ` ${JSON.stringify(error.params)}` : ''
    }${error.keyword === 'additionalProperties' ? ` ${JSON.stringify(error.params)}` : ''}`;
    if (seen.has(issue)) continue;
    seen.add(issue);
    issues.push(issue);
  }
  return issues;
}

/**
 * Turns rules the schema states only in its descriptions into keywords: paths and working directories that
 * "must be absolute" (checked as POSIX paths, where the tests run) and 1-based line numbers.
 */
function tightenProseRules(definitions: Record<string, object>): void {
  for (const definition of Object.values(definitions)) {
    const properties =
      (definition as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
    for (const property of Object.values(properties)) {
      const description = String(property.description ?? '');
      if (/\babsolute\b/i.test(description) && property.type === 'string') property.pattern = '^/';
      if (/\b1-based\b/.test(description)) property.minimum = 1;
    }
  }
}
