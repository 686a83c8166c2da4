import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  ElicitRequestSchema,
  EmptyResultSchema,
  InitializeResultSchema,
  JSONRPCErrorResponseSchema,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  ListToolsResultSchema,
  ServerNotificationSchema,
  ServerRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { z } from 'zod';

/** One message the server sent that MCP forbids. */
export interface McpSchemaViolation {
  /** The method the message is (or answers); `tools/call <name>` for a call result. */
  method: string;
  message: JSONRPCMessage;
  issues: string[];
}

/** What the server may answer, by the method of the client's request. */
const results: Record<string, z.ZodType> = {
  initialize: InitializeResultSchema,
  ping: EmptyResultSchema,
  'tools/list': ListToolsResultSchema,
  'tools/call': CallToolResultSchema,
};
/** What the server may ask, by method: checked with the request schema of that method, not the union of all. */
const requests: Record<string, z.ZodType> = { 'elicitation/create': ElicitRequestSchema };

// MCP tool schemas are JSON Schema 2020-12 unless they name another dialect.
const ajv = new Ajv2020({ strict: false, allErrors: true });

/**
 * Checks what an MCP server sends a client against the SDK's MCP schemas: each response by the method of the
 * request it answers, each request and notification by its method, errors by the JSON-RPC error object. Beyond
 * the schemas, MCP asks that each tool's `inputSchema` (and `outputSchema`) be a valid JSON Schema of
 * `type: "object"`, that its name follow the tool name rule, and that a result's `structuredContent` conform
 * to its tool's `outputSchema`.
 */
export interface McpSchemaConformance {
  /** The client's transport, observed (messages pass unchanged). Connect the client to this one. */
  readonly transport: Transport;
  readonly violations: readonly McpSchemaViolation[];
}

/** Wraps a client transport so everything the server sends through it is checked. */
export function checkMcpSchemaConformance(inner: Transport): McpSchemaConformance {
  const violations: McpSchemaViolation[] = [];
  const clientRequests = new Map<string | number, { method: string; tool?: string }>();
  const outputSchemas = new Map<string, Tool['outputSchema']>();

  const check = (options: { schema: z.ZodType; value: unknown; method: string; message: JSONRPCMessage }) => {
    const parsed = options.schema.safeParse(options.value);
    if (parsed.success) return true;
    violations.push({
      method: options.method,
      message: options.message,
      issues: parsed.error.issues.flatMap((issue) => describeIssue(issue, [])),
    });
    return false;
  };
  const reject = (method: string, message: JSONRPCMessage, issues: string[]) => {
    if (issues.length > 0) violations.push({ method, message, issues });
  };

  const fromServer = (message: JSONRPCMessage) => {
    if (!check({ schema: JSONRPCMessageSchema, value: message, method: 'jsonrpc', message })) return;
    if ('method' in message) {
      const schema =
        'id' in message ? (requests[message.method] ?? ServerRequestSchema) : ServerNotificationSchema;
      check({
        schema,
        value: { method: message.method, params: message.params },
        method: message.method,
        message,
      });
      return;
    }
    const request = message.id === undefined ? undefined : clientRequests.get(message.id);
    if (message.id !== undefined) clientRequests.delete(message.id);
    const method = request?.method ?? 'unknown request';
    if ('error' in message) {
      check({ schema: JSONRPCErrorResponseSchema, value: message, method, message });
      return;
    }
    const schema = results[method];
    if (!schema) {
      reject(method, message, ['answers no request this check knows the result schema of']);
      return;
    }
    const named = request?.tool ? `${method} ${request.tool}` : method;
    if (!check({ schema, value: message.result, method: named, message })) return;
    if (method === 'tools/list') {
      for (const tool of (message.result as { tools: Tool[] }).tools) {
        outputSchemas.set(tool.name, tool.outputSchema);
        reject(`tools/list ${tool.name}`, message, [
          // The spec's tool name rule: 1 to 128 of letters, digits, `_`, `-` and `.`.
          ...(/^[A-Za-z0-9_.-]{1,128}$/.test(tool.name) ? [] : ['/name: not a valid MCP tool name']),
          ...toolSchemaIssues('inputSchema', tool.inputSchema),
          ...(tool.outputSchema ? toolSchemaIssues('outputSchema', tool.outputSchema) : []),
        ]);
      }
    }
    if (method === 'tools/call' && request?.tool) {
      const outputSchema = outputSchemas.get(request.tool);
      const result = message.result as { isError?: boolean; structuredContent?: unknown };
      if (outputSchema && result.isError !== true) {
        if (result.structuredContent === undefined)
          reject(named, message, ['/structuredContent: required, the tool declares an outputSchema']);
        else if (!ajv.validate(outputSchema, result.structuredContent))
          reject(
            named,
            message,
            (ajv.errors ?? []).map((error) => `/structuredContent${error.instancePath}: ${error.message}`),
          );
      }
    }
  };

  const transport: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send(message, options) {
      if ('method' in message && 'id' in message) {
        const tool = message.method === 'tools/call' ? String(message.params?.name) : undefined;
        clientRequests.set(message.id, { method: message.method, ...(tool ? { tool } : {}) });
      }
      return inner.send(message, options);
    },
    setProtocolVersion: (version) => inner.setProtocolVersion?.(version),
  };
  inner.onmessage = (message, extra) => {
    fromServer(message);
    transport.onmessage?.(message, extra);
  };
  inner.onclose = () => transport.onclose?.();
  inner.onerror = (error) => transport.onerror?.(error);
  return { transport, violations };
}

/** Renders violations for a failed test: method, the message as sent, the issues. */
export function describeMcpSchemaViolations(violations: readonly McpSchemaViolation[]): string {
  return violations
    .map(
      (violation) =>
        `${violation.method} breaks MCP:\n  ${violation.issues.join('\n  ')}\n  message: ${JSON.stringify(violation.message).slice(0, 2000)}`,
    )
    .join('\n');
}

/** A zod issue as `path: problem`; for a union, the problems of the alternative that came closest. */
function describeIssue(issue: z.core.$ZodIssue, parent: PropertyKey[]): string[] {
  const path = [...parent, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) => describeIssue(inner, path));
  }
  return [`/${path.map(String).join('/')}: ${issue.message}`];
}

function toolSchemaIssues(field: 'inputSchema' | 'outputSchema', schema: unknown): string[] {
  const issues: string[] = [];
  if ((schema as { type?: unknown }).type !== 'object') issues.push(`/${field}/type: must be "object"`);
  if (!ajv.validateSchema(schema as object))
    for (const error of ajv.errors ?? []) issues.push(`/${field}${error.instancePath}: ${error.message}`);
  else {
    try {
      ajv.compile(schema as object);
    } catch (error) {
      issues.push(`/${field}: does not compile (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return issues;
}
