import { ToolMessage } from '@langchain/core/messages';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import type { ToolResult } from '../../src/dispatcher/tool-result.js';
import { ApprovalRequiredError } from '../../src/errors/approval-required-error.js';
import { toLangChainTools } from '../../src/langchain/to-langchain-tools.js';
import { defineTool } from '../../src/tool/define-tool.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

const echo = defineTool({
  name: 'echo',
  description: 'Echoes.',
  input: z.object({ text: z.string() }),
  access: 'read',
  run: ({ text }) => `echo: ${text}`,
});
const push = defineTool({
  name: 'push',
  description: 'Pushes.',
  input: z.object({}),
  access: 'exec',
  run: (_input, { approved }) => {
    if (!approved)
      throw new ApprovalRequiredError({
        kind: 'command',
        tool: 'push',
        argv: ['git', 'push'],
        rule: 'git push*',
        reason: 'it pushes',
      });
    return 'pushed';
  },
});
const dispatcher = createToolDispatcher({ registry: createToolRegistry({ tools: [echo, push] }) });

describe('toLangChainTools', () => {
  it('exposes every tool as a structured tool with its name, description and schema', () => {
    const tools = toLangChainTools({ dispatcher });
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'push']);
    expect(tools[0]?.description).toBe('Echoes.');
  });

  it('runs a tool call through the dispatcher and returns a tool message with the result as artifact', async () => {
    const [tool] = toLangChainTools({ dispatcher, names: ['echo'] });
    const message = (await tool!.invoke({
      type: 'tool_call',
      id: 'call_7',
      name: 'echo',
      args: { text: 'hi' },
    })) as ToolMessage;
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.content).toBe('echo: hi');
    expect(message.tool_call_id).toBe('call_7');
    expect((message.artifact as ToolResult).ok).toBe(true);
  });

  it('returns a policy question as content the model can read, with the approval request in the artifact', async () => {
    const [tool] = toLangChainTools({ dispatcher, names: ['push'] });
    const message = (await tool!.invoke({
      type: 'tool_call',
      id: 'call_8',
      name: 'push',
      args: {},
    })) as ToolMessage;
    expect(String(message.content)).toContain("needs a person's approval");
    expect((message.artifact as ToolResult).approval).toMatchObject({ argv: ['git', 'push'] });
    const [approved] = toLangChainTools({ dispatcher, names: ['push'], approved: true });
    expect(
      ((await approved!.invoke({ type: 'tool_call', id: 'call_9', name: 'push', args: {} })) as ToolMessage)
        .content,
    ).toBe('pushed');
  });
});

describe('the schema a model is given for a tool', () => {
  const listing = defineTool({
    name: 'list_things',
    description: 'Lists things.',
    input: z.object({
      path: z.string().default('.'),
      limit: z.number().int().min(1).default(500),
      offset: z.number().int().optional(),
      pattern: z.string(),
    }),
    access: 'read',
    run: ({ path, limit }) => `${path} ${limit}`,
  });
  const tools = toLangChainTools({
    dispatcher: createToolDispatcher({ registry: createToolRegistry({ tools: [listing] }) }),
  });

  it('requires only what has no default, with no $schema and no safe-integer bounds', () => {
    const parameters = convertToOpenAITool(tools[0]!).function.parameters as Record<string, unknown>;
    expect(parameters.required).toEqual(['pattern']);
    expect(parameters).not.toHaveProperty('$schema');
    expect(JSON.stringify(parameters)).not.toContain('9007199254740991');
    expect(parameters.properties).toMatchObject({ limit: { type: 'integer', minimum: 1, default: 500 } });
  });

  it('runs a call that leaves the defaults out, with the defaults applied', async () => {
    const message = (await tools[0]!.invoke({
      type: 'tool_call',
      id: 'call_1',
      name: 'list_things',
      args: { pattern: 'x' },
    })) as ToolMessage;
    expect(message.content).toBe('. 500');
  });
});
