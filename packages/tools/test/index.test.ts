import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as tools from '../src/index.js';

describe('the @herd/tools entry point', () => {
  it('lists every export by name, never with export *', async () => {
    const source = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/export \*/);
  });

  it('exports the public API', () => {
    expect(Object.keys(tools).sort()).toEqual(
      expect.arrayContaining([
        'ApprovalRequiredError',
        'PathDeniedError',
        'ToolsConfigSchema',
        'createCheckpointStore',
        'createMcpServer',
        'createTextToolCallStream',
        'createToolDispatcher',
        'createToolRegistry',
        'createWorkspaceJail',
        'createWorkspaceTools',
        'defineTool',
        'formatPythonicToolCalls',
        'parseTextToolCalls',
        'parseToolsConfig',
        'serveMcpOverStdio',
        'toLangChainTools',
      ]),
    );
  });
});
