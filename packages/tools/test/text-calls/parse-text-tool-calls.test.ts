import { describe, expect, it } from 'vitest';
import { parseTextToolCalls } from '../../src/text-calls/parse-text-tool-calls.js';

describe('parseTextToolCalls', () => {
  it('reads a pythonic call with mixed argument types', () => {
    const text =
      '[get_weather(city="San Francisco", days=3, metric=True, extra=None, ratio=-1.5e2, tags=["a", \'b\'], opts={"deep": {"x": [1, 2]}, \'k\': False})]';
    expect(parseTextToolCalls(text)).toEqual({
      content: '',
      calls: [
        {
          name: 'get_weather',
          arguments: {
            city: 'San Francisco',
            days: 3,
            metric: true,
            extra: null,
            ratio: -150,
            tags: ['a', 'b'],
            opts: { deep: { x: [1, 2] }, k: false },
          },
        },
      ],
    });
  });

  it('reads parallel calls and calls without arguments', () => {
    expect(
      parseTextToolCalls('[get_weather(city="SF"), get_weather(city="Seattle"), list_files()]').calls,
    ).toEqual([
      { name: 'get_weather', arguments: { city: 'SF' } },
      { name: 'get_weather', arguments: { city: 'Seattle' } },
      { name: 'list_files', arguments: {} },
    ]);
  });

  it('strips the python_start and python_end tags', () => {
    expect(parseTextToolCalls('<|python_start|>[read_file(path="a.ts")]<|python_end|>')).toEqual({
      content: '',
      calls: [{ name: 'read_file', arguments: { path: 'a.ts' } }],
    });
    expect(parseTextToolCalls('<|python_start|>[read_file(path="a.ts")]').calls).toHaveLength(1);
  });

  it('decodes string escapes, including escaped quotes and triple-quoted strings', () => {
    const text = String.raw`[f(a='Martha\'s Vineyard', b="\"cool units\"", c="tab\there\nline \u00e9 \x41 \\", d="""multi
line "quoted" text""")]`;
    expect(parseTextToolCalls(text).calls[0]?.arguments).toEqual({
      a: "Martha's Vineyard",
      b: '"cool units"',
      c: 'tab\there\nline é A \\',
      d: 'multi\nline "quoted" text',
    });
  });

  it('accepts empty dicts and lists, tuples and trailing commas', () => {
    expect(parseTextToolCalls('[f(a={}, b=[], c=(1, 2), d=[1,],)]').calls[0]?.arguments).toEqual({
      a: {},
      b: [],
      c: [1, 2],
      d: [1],
    });
  });

  it('keeps text before and after the calls as content', () => {
    expect(parseTextToolCalls('Let me check.\n[get_weather(city="SF")]\nThen I will answer.')).toEqual({
      content: 'Let me check.\n\nThen I will answer.',
      calls: [{ name: 'get_weather', arguments: { city: 'SF' } }],
    });
  });

  it('reads the JSON form, single or as a list, with parameters or arguments', () => {
    expect(
      parseTextToolCalls('{"name": "get_weather", "parameters": {"city": "SF", "days": 2}}').calls,
    ).toEqual([{ name: 'get_weather', arguments: { city: 'SF', days: 2 } }]);
    expect(
      parseTextToolCalls('[{"name": "a", "parameters": {}}, {"name": "b", "arguments": "{\\"x\\": true}"}]')
        .calls,
    ).toEqual([
      { name: 'a', arguments: {} },
      { name: 'b', arguments: { x: true } },
    ]);
  });

  it.each([
    ['plain prose', 'The weather is nice today.'],
    ['a markdown link', 'See [the docs](https://example.com) for more.'],
    ['a reference list', '[1] Smith, 2020'],
    ['positional arguments', '[get_weather("SF")]'],
    ['a mix of keyword and positional arguments', '[get_weather(city="SF", 3)]'],
    ['a function call in the value', '[f(a=os.system("rm -rf /"))]'],
    ['an expression', '[f(a=1+2)]'],
    ['a variable name as value', '[f(a=b)]'],
    ['an attribute call', '[os.system(cmd="ls")'],
    ['an unterminated list', '[get_weather(city="SF")'],
    ['an unterminated string', '[get_weather(city="SF)]'],
    ['a duplicate keyword', '[f(a=1, a=2)]'],
    ['a call glued to text', 'x[get_weather(city="SF")]'],
    ['text glued after', '[get_weather(city="SF")]ok'],
    ['an empty list', '[]'],
    ['a JSON object that is not a call', '{"city": "SF"}'],
    ['a JSON call with parameters that are not an object', '{"name": "f", "parameters": [1]}'],
    ['an f-string', '[f(a=f"{x}")]'],
    ['a lone python tag', '<|python_start|>print("hi")<|python_end|>'],
    ['deep nesting', `[f(a=${'['.repeat(200)}${']'.repeat(200)})]`],
    // Looked up on a plain object, these names found Object's own members: a JavaScript function as an argument.
    ['a bare name that is an Object member', '[f(a=constructor)]'],
    ['a bare name that is an inherited method', '[f(a=toString, b=__proto__)]'],
  ])('returns %s as plain content', (_label, text) => {
    expect(parseTextToolCalls(text)).toEqual({ content: text, calls: [] });
  });

  it('ignores calls to unknown tools when the tool names are given', () => {
    expect(parseTextToolCalls('[print(x=1)]', { toolNames: ['read_file'] }).calls).toEqual([]);
    expect(parseTextToolCalls('[read_file(path="a")]', { toolNames: ['read_file'] }).calls).toHaveLength(1);
  });

  it('never builds objects with a polluted prototype', () => {
    const [call] = parseTextToolCalls('[f(a={"__proto__": {"polluted": 1}})]').calls;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(call?.arguments.a as object)).toEqual(['__proto__']);
  });
});

describe('parseTextToolCalls on a call that cannot be read', () => {
  const toolNames = ['edit_file', 'read_file'];

  it('says which tool a call cut off before its end was for', () => {
    expect(parseTextToolCalls('[edit_file(path="a.ts", edits=[{"search": "x", ', { toolNames })).toEqual({
      content: '[edit_file(path="a.ts", edits=[{"search": "x", ',
      calls: [],
      unreadable: { name: 'edit_file', problem: 'the text ends before the call is complete' },
    });
  });

  it('says so for a malformed call inside python tags', () => {
    expect(
      parseTextToolCalls('<|python_start|>[read_file(path=a.ts)]<|python_end|>', { toolNames }).unreadable,
    ).toEqual({
      name: 'read_file',
      problem: 'it is not a well-formed call',
    });
  });

  it('says so for a JSON call whose parameters do not parse', () => {
    expect(
      parseTextToolCalls('{"name": "read_file", "parameters": {"path": }}', { toolNames }).unreadable,
    ).toEqual({
      name: 'read_file',
      problem: 'it is not a well-formed call',
    });
  });

  it('says when a call is longer than one call may be', () => {
    const call = `[edit_file(path="a.ts", content="${'y'.repeat(2000)}")]`;
    expect(parseTextToolCalls(call, { toolNames, maxBlockLength: 1000 })).toEqual({
      content: call,
      calls: [],
      unreadable: {
        name: 'edit_file',
        problem:
          'it is longer than the 1000 characters read as one call (make the change in several smaller calls)',
      },
    });
  });

  it('leaves prose and lists that name no known tool alone', () => {
    expect(parseTextToolCalls('[step(1)] was done', { toolNames }).unreadable).toBeUndefined();
    expect(parseTextToolCalls('I edited the file with edit_file(', { toolNames }).unreadable).toBeUndefined();
  });
});
