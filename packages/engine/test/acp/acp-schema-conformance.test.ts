import * as acp from '@agentclientprotocol/sdk';
import { describe, expect, it } from 'vitest';
import { checkAcpSchemaConformance } from './acp-schema-conformance.js';
import { inProcessStreams } from './acp-test-editor.js';

/** An editor's raw side of a connection: it sends what the test says and reads what the agent writes back. */
async function exchange(
  agent: acp.AgentApp,
  requests: { method: string; params: unknown }[],
  expectedMessages: number,
) {
  const streams = inProcessStreams();
  agent.connect(streams.agent);
  const conformance = checkAcpSchemaConformance();
  const editor = conformance.watch(streams.client);
  const reader = editor.readable.getReader();
  const writer = editor.writable.getWriter();
  for (const [index, request] of requests.entries())
    await writer.write({ jsonrpc: '2.0', id: index, method: request.method, params: request.params });
  for (let read = 0; read < expectedMessages; read++) await reader.read();
  return conformance.violations;
}

const initialize = {
  method: 'initialize',
  params: { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} },
};

describe('the ACP schema conformance check of the test editor', () => {
  it('passes messages the schema allows', async () => {
    const agent = acp.agent({ name: 'conforming' }).onRequest(acp.methods.agent.initialize, () => ({
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: { loadSession: false },
      authMethods: [],
    }));

    expect(await exchange(agent, [initialize], 1)).toEqual([]);
  });

  it('names a response that lacks a required field, by the method it answers', async () => {
    const agent = acp
      .agent({ name: 'forgetful' })
      .onRequest(acp.methods.agent.initialize, () => ({}) as acp.InitializeResponse);

    const violations = await exchange(agent, [initialize], 1);

    expect(violations).toMatchObject([
      {
        method: 'initialize',
        direction: 'response',
        issues: ["/: must have required property 'protocolVersion'"],
      },
    ]);
  });

  it('names a session update of a kind the schema allows with a value it forbids', async () => {
    const agent = acp
      .agent({ name: 'inventive' })
      .onRequest(acp.methods.agent.initialize, () => ({ protocolVersion: acp.PROTOCOL_VERSION }))
      .onRequest(acp.methods.agent.session.new, async ({ client }) => {
        await client.notify(acp.methods.client.session.update, {
          sessionId: 's1',
          update: {
            sessionUpdate: 'tool_call',
            toolCallId: 't1',
            title: 'Look around',
            kind: 'browse' as acp.ToolKind,
          },
        });
        return { sessionId: 's1' };
      });

    const violations = await exchange(
      agent,
      [initialize, { method: 'session/new', params: { cwd: '/', mcpServers: [] } }],
      3,
    );

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ method: 'session/update tool_call', direction: 'notification' });
    expect(violations[0]?.issues.join('\n')).toContain('/kind');
  });
});
