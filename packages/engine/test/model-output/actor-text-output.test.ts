import { testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
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
const fixed = 'export function add(left, right) {\n  return left + right;\n}\n';
const pythonicFix =
  '[edit_file(path="src/add.js", edits=[{"search": "left - right", "replace": "left + right"}])]';

describe('Llama 4 tool calls a host leaves in the message text although tools were declared', () => {
  it('runs a python-tagged pythonic call and warns how to configure the host', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ content: `<|python_start|>${pythonicFix}<|python_end|>` }, { content: 'Fixed.' }],
    });
    expect(run.addSource).toBe(fixed);
    expect(run.exitCode).toBe(0);
    expect(ofType(run.events, 'warning').map((warning) => warning.code)).toContain('tool_calls_in_text');
    expect(run.report.steps.map((reported) => `${reported.id} ${reported.status}`)).toEqual(['step-1 done']);
  });

  it('does not stream the raw call to the user as actor text, while ordinary text still streams', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [
        { content: `<|python_start|>${pythonicFix}<|python_end|>`, chunkSize: 5 },
        { content: 'Fixed [the bug] in add.', chunkSize: 5 },
      ],
    });
    const streamed = ofType(run.events, 'model-text')
      .filter((event) => event.role === 'actor')
      .map((event) => event.text)
      .join('');
    expect(streamed).not.toContain('<|python_start|>');
    expect(streamed).not.toContain('edit_file(');
    expect(streamed).toContain('Fixed [the bug] in add.');
    expect(run.addSource).toBe(fixed);
  });

  // Held back and read again from its start after every chunk, a 400 KB block cost the square of its length: about
  // ten minutes of a blocked event loop in four-character chunks (a 64 KB one took 17 s). A host that ignores
  // max_tokens can send that. Sixteen-character chunks still make that 2 to 3 minutes, past this test's minute,
  // while read once it takes a second or two: 25,000 chunks instead of 100,000 through the client and LangChain.
  it('holds back a 400 KB pythonic call streamed sixteen characters at a time without stalling the run', async () => {
    const padding = 'x'.repeat(400_000);
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [
        {
          content: `<|python_start|>[edit_file(path="src/add.js", edits=[{"search": "left - right", "replace": "left + right /* ${padding} */"}])]<|python_end|>`,
          chunkSize: 16,
        },
        fixCall,
        { content: 'Fixed.' },
      ],
    });
    const streamed = ofType(run.events, 'model-text')
      .filter((event) => event.role === 'actor')
      .map((event) => event.text)
      .join('');
    expect(streamed).not.toContain('edit_file(');
    expect(run.exitCode).toBe(0);
    expect(run.addSource).toBe(fixed);
  }, 60_000);

  it('runs a JSON call object written as the whole reply', async () => {
    const json = JSON.stringify({
      name: 'edit_file',
      parameters: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    });
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ content: json }, { content: 'Fixed.' }],
    });
    expect(run.addSource).toBe(fixed);
    expect(run.exitCode).toBe(0);
  });

  it('takes a final answer that only mentions a tool as the answer, running nothing', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [fixCall, { content: 'I used edit_file(path) to fix [the bug].' }],
    });
    expect(ofType(run.events, 'tool-call')).toHaveLength(1);
    expect(ofType(run.events, 'warning')).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});

describe('text tool calling (toolCalling: text)', () => {
  it('runs a pythonic call from the reply', async () => {
    const run = await runWithModelOutput({
      server,
      toolCalling: 'text',
      planner,
      actor: [{ content: pythonicFix }, { content: 'Fixed.' }],
    });
    expect(run.addSource).toBe(fixed);
    expect(run.exitCode).toBe(0);
  });

  it('answers a call cut off mid-way with what was wrong instead of taking it as the step summary', async () => {
    const run = await runWithModelOutput({
      server,
      toolCalling: 'text',
      planner,
      actor: [{ content: pythonicFix.slice(0, 60) }, { content: pythonicFix }, { content: 'Fixed.' }],
    });
    const [refused] = ofType(run.events, 'tool-result');
    expect(refused).toMatchObject({ name: 'edit_file', ok: false, errorCode: 'refused' });
    expect(refused?.content).toBe(
      'Not run: your reply looks like a call to edit_file, but the text ends before the call is complete. Send the call again, complete and well-formed, or answer in plain text when the step is done.',
    );
    expect(run.addSource).toBe(fixed);
    expect(run.report.steps.map((reported) => `${reported.id} ${reported.status}`)).toEqual(['step-1 done']);
  });

  it('replays a reply cut at the output limit as the model wrote it, then the refusal, with no made-up call', async () => {
    const cut = pythonicFix.slice(0, 60);
    await runWithModelOutput({
      server,
      toolCalling: 'text',
      planner,
      actor: [{ content: cut, finishReason: 'length' }, { content: pythonicFix }, { content: 'Fixed.' }],
    });
    const second = server.chatRequests().filter((body) => body.model === testModels.actor)[1]!;
    const [assistant, result] = second.messages!.slice(-2);
    // Before, the replay was the cut text plus a synthetic `[edit_file()]` the model never wrote.
    expect(assistant).toMatchObject({ role: 'assistant', content: cut });
    expect(String(result?.content)).toMatch(
      /^Result of edit_file:\nNot run: your reply looks like a call to edit_file/,
    );
  });
});

describe('an empty reply from the actor', () => {
  it('is answered once with a request to act or summarize, not taken as the end of the step', async () => {
    const run = await runWithModelOutput({
      server,
      planner,
      actor: [{ content: '' }, fixCall, { content: 'Fixed.' }],
    });
    const actorRequests = server.chatRequests().filter((body) => body.model === testModels.actor);
    expect(JSON.stringify(actorRequests[1]?.messages?.at(-1))).toContain(
      'Your reply was empty. Carry out step step-1',
    );
    expect(run.report.steps.map((reported) => `${reported.id} ${reported.status}`)).toEqual(['step-1 done']);
    expect(run.exitCode).toBe(0);
  });
});

describe('a very long text answer from the actor', () => {
  it('is cut to 100,000 characters with a note, and a warning says how to prevent it', async () => {
    const run = await runWithModelOutput({
      server,
      toolCalling: 'text',
      planner,
      actor: [{ content: pythonicFix }, { content: 'y'.repeat(150_000) }],
    });
    expect(run.exitCode).toBe(0);
    expect(ofType(run.events, 'warning')).toEqual([
      expect.objectContaining({
        code: 'reply_cut',
        message: expect.stringContaining('was 150000 characters long, so Herd kept the first 100000'),
      }),
    ]);
    // The step's summary is cut further (to 2,000 characters) in events and the report.
    expect(ofType(run.events, 'step-finish')).toEqual([
      expect.objectContaining({ stepId: 'step-1', status: 'done', summary: 'y'.repeat(2_000) }),
    ]);
  });
});
