import { type ScriptedServer, type ScriptedTurn, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixCall, ofType, runWithModelOutput, validPlan } from './model-output-run.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const planner = [{ content: JSON.stringify(validPlan) }];
const fixTurns: ScriptedTurn[] = [fixCall, { content: 'Fixed.' }];
const readAdd: ScriptedTurn = { toolCalls: [{ name: 'read_file', arguments: { path: 'src/add.js' } }] };

describe('tool calls of the actor that cannot be run as sent', () => {
  it('answers a call to an unknown tool with the available tools, as a failed result, and goes on', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, ...fixTurns],
    });
    const [unknown] = ofType(run.events, 'tool-result');
    expect(unknown).toMatchObject({ name: 'delete_everything', ok: false, errorCode: 'unknown_tool' });
    expect(unknown?.content).toContain(
      "There is no tool named 'delete_everything'. Available tools: read_file",
    );
    expect(run.exitCode).toBe(0);
  });

  it('answers arguments of the wrong types with the fields and an example, and goes on', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ toolCalls: [{ name: 'edit_file', arguments: { path: 3, edits: 'x' } }] }, ...fixTurns],
    });
    expect(ofType(run.events, 'tool-result')[0]?.content).toContain(
      "'path' must be string, but got number 3; 'edits' must be array",
    );
    expect(run.exitCode).toBe(0);
  });

  it('answers arguments that are not JSON with the parse error instead of ending the step', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ toolCalls: [{ name: 'edit_file', arguments: '{path: src/add.js}' }] }, ...fixTurns],
    });
    const [refused] = ofType(run.events, 'tool-result');
    expect(refused).toMatchObject({ name: 'edit_file', ok: false, errorCode: 'refused' });
    expect(refused?.content).toMatch(
      /^Not run: the arguments of this edit_file call are not (complete|valid) JSON/,
    );
    expect(run.report.steps.map((reported) => reported.id)).toEqual(['step-1']);
    expect(run.exitCode).toBe(0);
  });

  it('runs a call whose arguments are JSON5 (single quotes, a trailing comma) as the model meant them', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments:
                "{'path': 'src/add.js', 'edits': [{'search': 'left - right', 'replace': 'left + right'}],}",
            },
          ],
        },
        { content: 'Fixed.' },
      ],
    });
    expect(ofType(run.events, 'tool-result')[0]).toMatchObject({ name: 'edit_file', ok: true });
    expect(run.addSource).toContain('left + right');
    expect(run.exitCode).toBe(0);
  });

  it('answers a call with empty arguments by naming the missing field', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ toolCalls: [{ name: 'read_file', arguments: '' }] }, ...fixTurns],
    });
    expect(ofType(run.events, 'tool-result')[0]).toMatchObject({
      ok: false,
      errorCode: 'invalid_arguments',
      content: expect.stringContaining("'path' must be string, but got nothing"),
    });
  });

  it('runs no call of a reply cut off at the output limit, so no half-written file is left', async () => {
    const cutOff: ScriptedTurn = {
      toolCalls: [
        { name: 'write_file', arguments: '{"path": "src/add.js", "content": "export function add(left, ri' },
      ],
      finishReason: 'length',
    };
    const run = await runWithModelOutput({ server, planner, actor: [cutOff, ...fixTurns] });
    const [refused] = ofType(run.events, 'tool-result');
    expect(refused).toMatchObject({ name: 'write_file', ok: false, errorCode: 'refused' });
    expect(refused?.content).toContain('are not complete JSON (Unterminated string');
    expect(refused?.content).toContain('cut off at the output token limit');
    expect(run.addSource).toBe('export function add(left, right) {\n  return left + right;\n}\n');
    expect(run.exitCode).toBe(0);
  });

  // The raw arguments were looked up by id, so the second call was checked against the first call's complete JSON,
  // and LangChain's partial-JSON reading of its cut-off text wrote half a file.
  it('checks each call of a reply that gives two calls one id, and answers them by ids of their own', async () => {
    const sameId: ScriptedTurn = {
      toolCalls: [
        { id: 'call_same', name: 'read_file', arguments: { path: 'src/add.js' } },
        {
          id: 'call_same',
          name: 'write_file',
          arguments: '{"path": "src/add.js", "content": "export function add(left, ri',
        },
      ],
    };
    const run = await runWithModelOutput({ server, planner, actor: [sameId, ...fixTurns] });
    const results = ofType(run.events, 'tool-result');
    expect(results[1]).toMatchObject({ name: 'write_file', ok: false, errorCode: 'refused' });
    expect(results[1]?.content).toContain('are not complete JSON');
    expect(run.addSource).toBe('export function add(left, right) {\n  return left + right;\n}\n');
    expect(run.exitCode).toBe(0);
    const next = server
      .chatRequests()
      .find((body) => body.messages?.some((message) => message.role === 'tool'));
    const answered = (next?.messages ?? []).flatMap((message) =>
      message.role === 'tool' ? [(message as { tool_call_id?: string }).tool_call_id] : [],
    );
    expect(answered).toHaveLength(2);
    expect(new Set(answered).size).toBe(2);
  });

  it('refuses the third identical reply in a row and lets the actor go on', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [readAdd, readAdd, readAdd, ...fixTurns],
    });
    const results = ofType(run.events, 'tool-result').filter((result) => result.name === 'read_file');
    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(results[2]?.content).toContain('you made exactly this call 3 times in a row');
    expect(run.exitCode).toBe(0);
  });

  it('stops the run with tool_call_loop when the actor sends the same call five times in a row', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: Array.from({ length: 6 }, () => readAdd),
    });
    expect(run.report.error).toMatchObject({ code: 'tool_call_loop', blame: 'model' });
    expect(run.report.reason).toContain(
      'The actor sent the same tool calls 5 times in a row (read_file {"path":"src/add.js"})',
    );
    expect(ofType(run.events, 'tool-result')).toHaveLength(4);
    expect(run.exitCode).toBe(3);
  });

  it('ends the run at the tool-call limit before running any call of a reply with hundreds of them', async () => {
    const flood: ScriptedTurn = {
      toolCalls: Array.from({ length: 200 }, (_, index) => ({
        name: 'read_file',
        arguments: { path: `f${index}.js` },
      })),
    };
    const run = await runWithModelOutput({ server, planner, actor: [flood] });
    expect(run.exitCode).toBe(4);
    expect(run.report.status).toBe('limits_exceeded');
    expect(run.report.reason).toBe(
      'The run reached its toolCallsPerStep limit (200 of 60); raise run.limits.toolCallsPerStep in herd.config.json or narrow the task.',
    );
    expect(ofType(run.events, 'tool-call')).toEqual([]);
  });
});
