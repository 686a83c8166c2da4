import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/tool/define-tool.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

const reader = defineTool({
  name: 'read_thing',
  description: 'Reads a thing.',
  input: z.object({ path: z.string().describe('Where.'), limit: z.number().int().default(10) }),
  access: 'read',
  run: () => 'ok',
});
const writer = defineTool({
  name: 'write_thing',
  description: 'Writes a thing.',
  input: z.object({ text: z.string() }),
  access: 'write',
  run: () => 'ok',
});

describe('defineTool', () => {
  it.each(['has space', '', 'x'.repeat(65), 'semi;colon'])('refuses the invalid name %j', (name) => {
    expect(() => defineTool({ ...reader, name })).toThrow(/tool name/);
  });

  it('refuses a non-object input schema and an empty description', () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong schema type
    expect(() => defineTool({ ...reader, input: z.string() as any })).toThrow(/z.object/);
    expect(() => defineTool({ ...reader, description: '  ' })).toThrow(/empty description/);
  });
});

describe('createToolRegistry', () => {
  it('exports OpenAI function definitions with JSON Schema parameters', () => {
    const [tool] = createToolRegistry({ tools: [reader] }).toOpenAiTools();
    expect(tool).toEqual({
      type: 'function',
      function: {
        name: 'read_thing',
        description: 'Reads a thing.',
        parameters: {
          type: 'object',
          properties: {
            path: { type: 'string', description: 'Where.' },
            limit: expect.objectContaining({ type: 'integer', default: 10 }),
          },
          required: ['path'],
        },
      },
    });
  });

  it('derives MCP annotations from access', () => {
    const [read, write] = createToolRegistry({ tools: [reader, writer] }).toMcpTools();
    expect(read?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(write?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(write?.inputSchema).toMatchObject({ type: 'object', required: ['text'] });
  });

  it('refuses duplicate names and selects subsets by name', () => {
    expect(() => createToolRegistry({ tools: [reader, reader] })).toThrow(/unique name/);
    expect(
      createToolRegistry({ tools: [reader, writer] })
        .select(['write_thing', 'nope'])
        .names(),
    ).toEqual(['write_thing']);
  });
});
