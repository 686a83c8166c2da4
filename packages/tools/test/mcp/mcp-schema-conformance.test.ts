import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type JSONRPCMessage, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMcpSchemaConformance } from './mcp-schema-conformance.js';

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

/**
 * Connects a client, through the check, to a raw server that answers with whatever the test gives it (the SDK's
 * own server would refuse to send some of it).
 */
async function serve(answers: { tools: unknown[]; call?: unknown }) {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  serverTransport.onmessage = (message) => {
    if (!('method' in message) || !('id' in message)) return;
    const result =
      message.method === 'initialize'
        ? {
            protocolVersion: LATEST_PROTOCOL_VERSION,
            capabilities: { tools: {} },
            serverInfo: { name: 'careless', version: '0.0.0' },
          }
        : message.method === 'tools/list'
          ? { tools: answers.tools }
          : answers.call;
    void serverTransport.send({ jsonrpc: '2.0', id: message.id, result } as JSONRPCMessage);
  };
  await serverTransport.start();
  const conformance = checkMcpSchemaConformance(clientTransport);
  const client = new Client({ name: 'checker', version: '0.0.0' });
  await client.connect(conformance.transport);
  clients.push(client);
  return { client, conformance };
}

describe('the MCP schema conformance check of the tool tests', () => {
  it('passes a listing and a result MCP allows', async () => {
    const { client, conformance } = await serve({
      tools: [{ name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }],
      call: { content: [{ type: 'text', text: 'hi' }], isError: false },
    });
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });

    expect(conformance.violations).toEqual([]);
  });

  it('names a tool whose input schema is not an object schema or not a valid JSON Schema', async () => {
    const { client, conformance } = await serve({
      tools: [{ name: 'listed', inputSchema: { type: 'object', properties: { path: { type: 'strnig' } } } }],
    });
    await client.listTools();

    expect(conformance.violations).toMatchObject([{ method: 'tools/list listed' }]);
    expect(conformance.violations[0]?.issues.join('\n')).toContain('/inputSchema/properties/path/type');
  });

  it('names a call result whose content breaks the schema', async () => {
    const { client, conformance } = await serve({
      tools: [
        {
          name: 'count',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        },
      ],
      call: { content: [{ type: 'text' }] },
    });
    await client.listTools();
    await client.callTool({ name: 'count', arguments: {} }).catch(() => undefined);

    expect(conformance.violations.map((violation) => violation.method)).toEqual(['tools/call count']);
    expect(conformance.violations[0]?.issues.join('\n')).toContain('/content/0/text');
  });

  it('names a call result without the structured output its tool declares', async () => {
    const { client, conformance } = await serve({
      tools: [
        {
          name: 'count',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        },
      ],
      call: { content: [{ type: 'text', text: 'n is 3' }], structuredContent: { n: 'three' } },
    });
    await client.listTools();
    await client.callTool({ name: 'count', arguments: {} }).catch(() => undefined);

    expect(conformance.violations).toMatchObject([
      { method: 'tools/call count', issues: ['/structuredContent/n: must be number'] },
    ]);
  });
});
