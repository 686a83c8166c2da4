import { UserError } from '@herd/core';
import type { ToolDefinition } from './define-tool.js';
import { type JsonSchemaObject, toolInputJsonSchema } from './tool-json-schema.js';

/** A tool in the OpenAI function-calling shape (`tools` of a chat completion request). */
export interface OpenAiFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchemaObject };
}

/** A tool in the MCP `tools/list` shape, with annotations derived from its access. */
export interface McpToolDescription {
  name: string;
  description: string;
  inputSchema: JsonSchemaObject;
  annotations: { title: string; readOnlyHint: boolean; destructiveHint: boolean; openWorldHint: boolean };
}

/** The tools a run offers, by name. */
export interface ToolRegistry {
  /** Every tool, in registration order. */
  readonly tools: readonly ToolDefinition[];
  /** The tool with this name, if any. */
  get(name: string): ToolDefinition | undefined;
  /** Every tool name, in registration order. */
  names(): string[];
  /** A registry with only the named tools (unknown names are ignored), for per-step tool sets. */
  select(names: readonly string[]): ToolRegistry;
  /** The tools as OpenAI function definitions. */
  toOpenAiTools(): OpenAiFunctionTool[];
  /** The tools as MCP tool descriptions. */
  toMcpTools(): McpToolDescription[];
}

/**
 * Creates a registry of tools.
 *
 * @throws UserError when two tools share a name.
 * @example
 * const registry = createToolRegistry({ tools: [echoTool] });
 * registry.toOpenAiTools();
 */
export function createToolRegistry(options: { tools: readonly ToolDefinition[] }): ToolRegistry {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of options.tools) {
    if (byName.has(tool.name)) {
      throw new UserError({
        code: 'tool_name_duplicate',
        message: `Two tools are named '${tool.name}'; give each tool a unique name.`,
      });
    }
    byName.set(tool.name, tool);
  }
  const schemas = new Map<string, JsonSchemaObject>();
  const schemaOf = (tool: ToolDefinition): JsonSchemaObject => {
    let schema = schemas.get(tool.name);
    if (!schema) {
      schema = toolInputJsonSchema(tool.input);
      schemas.set(tool.name, schema);
    }
    return schema;
  };
  const tools = [...byName.values()];
  return {
    tools,
    get: (name) => byName.get(name),
    names: () => tools.map((tool) => tool.name),
    select: (names) => createToolRegistry({ tools: tools.filter((tool) => names.includes(tool.name)) }),
    toOpenAiTools: () =>
      tools.map((tool) => ({
        type: 'function' as const,
        function: { name: tool.name, description: tool.description, parameters: schemaOf(tool) },
      })),
    toMcpTools: () =>
      tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: schemaOf(tool),
        annotations: {
          title: tool.name.replaceAll('_', ' '),
          readOnlyHint: tool.access === 'read',
          destructiveHint: tool.access !== 'read',
          openWorldHint: tool.openWorld ?? tool.access === 'exec',
        },
      })),
  };
}
