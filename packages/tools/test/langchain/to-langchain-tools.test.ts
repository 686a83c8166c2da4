import { ToolMessage } from '@langchain/core/messages';
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
