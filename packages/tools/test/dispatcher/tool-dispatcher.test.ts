import { UserError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { ApprovalRequiredError } from '../../src/errors/approval-required-error.js';
import { defineTool } from '../../src/tool/define-tool.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

const weather = defineTool({
  name: 'get_weather',
  description: 'Weather for a city.',
  input: z.object({
    city: z.string(),
    days: z.number().int().min(1).default(1),
    unit: z.enum(['c', 'f']).optional(),
  }),
  access: 'read',
  run: ({ city, days }) => ({ content: `${city}: sunny for ${days} days`, data: { city, days } }),
});

const dispatcherWith = (...tools: Parameters<typeof createToolRegistry>[0]['tools']) =>
  createToolDispatcher({ registry: createToolRegistry({ tools: [weather, ...tools] }), timeoutMs: 2000 });

describe('createToolDispatcher', () => {
  it('runs a tool with arguments given as a JSON string and returns its content and data', async () => {
    const result = await dispatcherWith().dispatch({
      id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"SF","days":3}',
    });
    expect(result).toMatchObject({
      ok: true,
      name: 'get_weather',
      callId: 'call_1',
      content: 'SF: sunny for 3 days',
      data: { city: 'SF', days: 3 },
    });
  });

  it('accepts arguments already parsed into an object, and empty arguments as {}', async () => {
    expect(
      (await dispatcherWith().dispatch({ name: 'get_weather', arguments: { city: 'Oslo' } })).content,
    ).toBe('Oslo: sunny for 1 days');
    const empty = await dispatcherWith().dispatch({ name: 'get_weather', arguments: '' });
    expect(empty.error?.code).toBe('invalid_arguments');
  });

  it('names the field, the expectation and an example when arguments are invalid', async () => {
    const result = await dispatcherWith().dispatch({ name: 'get_weather', arguments: '{"city": 42}' });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('invalid_arguments');
    expect(result.error?.message).toContain("'city' must be string, but got number 42");
    expect(result.error?.hint).toContain('{"city":"text"}');
    expect(result.content).toContain('Error:');
  });

  it('lists the allowed values for an enum field', async () => {
    const result = await dispatcherWith().dispatch({
      name: 'get_weather',
      arguments: { city: 'a', unit: 'kelvin' },
    });
    expect(result.error?.message).toContain('\'unit\' must be one of "c", "f"');
  });

  it('reports malformed JSON with the parser message and an example', async () => {
    const result = await dispatcherWith().dispatch({ name: 'get_weather', arguments: '{"city": "SF",' });
    expect(result.error?.code).toBe('invalid_json');
    expect(result.error?.hint).toContain('"city"');
  });

  it.each(['[1,2]', '"just a string"', '42', 'null'])('refuses the non-object arguments %s', async (raw) => {
    const result = await dispatcherWith().dispatch({ name: 'get_weather', arguments: raw });
    expect(result.error?.code).toBe('invalid_arguments');
  });

  it('lists the available tools for an unknown tool and suggests the closest', async () => {
    const result = await dispatcherWith().dispatch({ name: 'getWeather', arguments: '{}' });
    expect(result.error?.code).toBe('unknown_tool');
    expect(result.error?.message).toContain('Available tools: get_weather');
    expect(result.error?.hint).toContain("'get_weather'");
  });

  it('never throws, even for a call that is not an object at all', async () => {
    const dispatcher = dispatcherWith();
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed input from an untrusted caller
    for (const call of [null, undefined, 42, { name: 7 }, { name: 'get_weather', arguments: 7 }] as any[]) {
      const result = await dispatcher.dispatch(call);
      expect(result.ok).toBe(false);
    }
  });

  it('turns a thrown Herd error into its code, message and hint', async () => {
    const failing = defineTool({
      name: 'failing',
      description: 'Fails.',
      input: z.object({}),
      access: 'read',
      run: () => {
        throw new UserError({ code: 'path_not_found', message: 'nope.', hint: 'try list_files.' });
      },
    });
    const result = await dispatcherWith(failing).dispatch({ name: 'failing' });
    expect(result.error).toEqual({ code: 'path_not_found', message: 'nope.', hint: 'try list_files.' });
  });

  it('turns an unexpected exception into tool_failed', async () => {
    const broken = defineTool({
      name: 'broken',
      description: 'Breaks.',
      input: z.object({}),
      access: 'read',
      run: () => Promise.reject(new Error('boom')),
    });
    const result = await dispatcherWith(broken).dispatch({ name: 'broken' });
    expect(result.error).toMatchObject({ code: 'tool_failed', message: "The tool 'broken' failed: boom" });
  });

  it('stops a tool that runs past its time limit and aborts its signal', async () => {
    let sawAbort = false;
    const slow = defineTool({
      name: 'slow',
      description: 'Never ends.',
      input: z.object({}),
      access: 'read',
      timeoutMs: 50,
      run: (_input, { signal }) =>
        new Promise<string>(() => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
          });
        }),
    });
    const result = await dispatcherWith(slow).dispatch({ name: 'slow' });
    expect(result.error?.code).toBe('tool_timeout');
    expect(result.error?.message).toContain('50 ms');
    expect(sawAbort).toBe(true);
  });

  it('returns tool_aborted when the caller cancels', async () => {
    const slow = defineTool({
      name: 'slow',
      description: 'Never ends.',
      input: z.object({}),
      access: 'read',
      run: () => new Promise<string>(() => {}),
    });
    const controller = new AbortController();
    const pending = dispatcherWith(slow).dispatch({ name: 'slow' }, { signal: controller.signal });
    controller.abort();
    expect((await pending).error?.code).toBe('tool_aborted');
  });

  it('surfaces an approval request as a structured outcome and runs once approved', async () => {
    const guarded = defineTool({
      name: 'guarded',
      description: 'Asks first.',
      input: z.object({}),
      access: 'exec',
      run: (_input, { approved }) => {
        if (!approved)
          throw new ApprovalRequiredError({
            kind: 'command',
            tool: 'guarded',
            argv: ['git', 'push'],
            rule: 'git push*',
            reason: 'it pushes',
          });
        return 'pushed';
      },
    });
    const dispatcher = dispatcherWith(guarded);
    const asked = await dispatcher.dispatch({ name: 'guarded' });
    expect(asked).toMatchObject({
      ok: false,
      error: { code: 'approval_required' },
      approval: { argv: ['git', 'push'], rule: 'git push*' },
    });
    expect(await dispatcher.dispatch({ name: 'guarded' }, { approved: true })).toMatchObject({
      ok: true,
      content: 'pushed',
    });
  });

  it('takes a checkpoint before write tools only and reports its id', async () => {
    const labels: string[] = [];
    const writer = defineTool({
      name: 'writer',
      description: 'Writes.',
      input: z.object({}),
      access: 'write',
      run: () => 'wrote',
    });
    const dispatcher = createToolDispatcher({
      registry: createToolRegistry({ tools: [weather, writer] }),
      checkpoints: {
        create: async ({ label }) => {
          labels.push(label);
          return { id: `cp${labels.length}` };
        },
      },
    });
    expect(
      (await dispatcher.dispatch({ name: 'get_weather', arguments: { city: 'x' } })).checkpointId,
    ).toBeUndefined();
    expect((await dispatcher.dispatch({ name: 'writer' })).checkpointId).toBe('cp1');
    expect(labels).toEqual(['before writer']);
  });

  it('refuses to write when no checkpoint can be taken', async () => {
    const writer = defineTool({
      name: 'writer',
      description: 'Writes.',
      input: z.object({}),
      access: 'write',
      run: () => 'wrote',
    });
    const dispatcher = createToolDispatcher({
      registry: createToolRegistry({ tools: [writer] }),
      checkpoints: { create: () => Promise.reject(new Error('disk full')) },
    });
    expect((await dispatcher.dispatch({ name: 'writer' })).error?.code).toBe('checkpoint_failed');
  });

  it('reports data that breaks the declared output schema', async () => {
    const liar = defineTool({
      name: 'liar',
      description: 'Returns bad data.',
      input: z.object({}),
      output: z.object({ count: z.number() }),
      access: 'read',
      run: () => ({ content: 'x', data: { count: 'many' } as unknown as { count: number } }),
    });
    expect((await dispatcherWith(liar).dispatch({ name: 'liar' })).error?.code).toBe('tool_output_invalid');
  });
});
