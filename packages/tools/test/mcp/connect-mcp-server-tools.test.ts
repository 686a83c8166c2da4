import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HerdError } from '@herd/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import {
  connectMcpServerTools,
  type McpServerTools,
  mcpToolName,
} from '../../src/mcp/connect-mcp-server-tools.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

const notesServer = fileURLToPath(new URL('./fixtures/notes-mcp-server.mjs', import.meta.url));
const connected: McpServerTools[] = [];
afterEach(async () => {
  await Promise.all(connected.splice(0).map((connection) => connection.close()));
});

async function connectNotes() {
  const notes = join(mkdtempSync(join(tmpdir(), 'herd-mcp-notes-')), 'notes.md');
  writeFileSync(notes, 'buy milk\n');
  const connection = await connectMcpServerTools({
    server: { name: 'notes', command: process.execPath, args: [notesServer], env: { NOTES_FILE: notes } },
  });
  connected.push(connection);
  const dispatcher = createToolDispatcher({ registry: createToolRegistry({ tools: connection.tools }) });
  return { connection, dispatcher, notes };
}

describe('connectMcpServerTools', () => {
  it("offers the server's tools under mcp__<server>__<tool>, read-only ones as read access", async () => {
    const { connection } = await connectNotes();
    expect(connection.tools.map((tool) => [tool.name, tool.access])).toEqual([
      ['mcp__notes__read_note', 'read'],
      ['mcp__notes__write_note', 'exec'],
      ['mcp__notes__broken', 'exec'],
    ]);
  });

  it('runs a read-only tool without asking and returns its text', async () => {
    const { dispatcher } = await connectNotes();
    const result = await dispatcher.dispatch({
      name: 'mcp__notes__read_note',
      arguments: { heading: 'Shopping' },
    });
    expect(result.ok).toBe(true);
    expect(result.content).toContain('Shopping: buy milk');
  });

  it('asks before a tool that may change things, and runs it once approved', async () => {
    const { dispatcher, notes } = await connectNotes();
    const call = { name: 'mcp__notes__write_note', arguments: { line: 'call mum' } };
    const asked = await dispatcher.dispatch(call);
    expect(asked.approval).toMatchObject({ rule: 'mcp notes write_note', tool: 'mcp__notes__write_note' });
    expect(readFileSync(notes, 'utf8')).not.toContain('call mum');

    const approved = await dispatcher.dispatch(call, { approved: true });
    expect(approved.ok).toBe(true);
    expect(readFileSync(notes, 'utf8')).toContain('call mum');
  });

  it("validates arguments against the server's input schema before calling it", async () => {
    const { dispatcher } = await connectNotes();
    const result = await dispatcher.dispatch({ name: 'mcp__notes__read_note', arguments: { heading: 7 } });
    expect(result.ok).toBe(false);
    expect(result.content).toContain('heading');
  });

  it("reports a tool's error result as a failure with the server's words", async () => {
    const { dispatcher } = await connectNotes();
    const result = await dispatcher.dispatch(
      { name: 'mcp__notes__broken', arguments: {} },
      { approved: true },
    );
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('mcp_tool_failed');
    expect(result.content).toContain('the notes service is down');
  });

  it('says which server could not be started and what to check', async () => {
    const failure = await connectMcpServerTools({
      server: { name: 'ghost', command: join(tmpdir(), 'no-such-mcp-server') },
    }).catch((error: unknown) => error);
    expect(HerdError.find(failure)?.code).toBe('mcp_server_failed');
    expect((failure as Error).message).toContain("The MCP server 'ghost'");
  });

  it('keeps tool names within 64 allowed characters', () => {
    expect(mcpToolName({ server: 'my server', tool: 'x'.repeat(80) })).toMatch(/^mcp__my_server__x+$/);
    expect(mcpToolName({ server: 'my server', tool: 'x'.repeat(80) })).toHaveLength(64);
  });
});
