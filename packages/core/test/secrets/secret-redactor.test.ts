import { describe, expect, it } from 'vitest';
import type { SecretDetector } from '../../src/secrets/secret-detector.js';
import { createSecretRedactor } from '../../src/secrets/secret-redactor.js';

describe('createSecretRedactor', () => {
  it('replaces provider keys and secret-looking variables with their names', () => {
    const redactor = createSecretRedactor({
      env: { LLAMA_API_KEY: 'LLM|1234567890abcdef', GITHUB_TOKEN: 'ghp_abcdefghijklmnop', HOME: '/root' },
    });
    const text = 'Authorization: Bearer LLM|1234567890abcdef and ghp_abcdefghijklmnop in /root';
    expect(redactor.redact(text)).toBe(
      'Authorization: Bearer [redacted:LLAMA_API_KEY] and [redacted:GITHUB_TOKEN] in /root',
    );
  });

  it('leaves short values alone, since they would match by chance', () => {
    const redactor = createSecretRedactor({ env: { DEBUG_TOKEN: '1' } });
    expect(redactor.redact('step 1 of 10')).toBe('step 1 of 10');
  });

  it('leaves variables that name a location alone, such as SSH_AUTH_SOCK', () => {
    const redactor = createSecretRedactor({ env: { SSH_AUTH_SOCK: '/tmp/ssh-agent.12345' } });
    expect(redactor.redact('socket /tmp/ssh-agent.12345')).toBe('socket /tmp/ssh-agent.12345');
  });

  it('redacts the key variables a configuration names, whatever their names', () => {
    const redactor = createSecretRedactor({
      env: { MY_GATEWAY: 'gw-0123456789' },
      extraNames: ['MY_GATEWAY'],
    });
    expect(redactor.redact('sent gw-0123456789')).toBe('sent [redacted:MY_GATEWAY]');
  });

  it('redacts the password of a URL in any variable, decoded, and as a Basic authorization header', () => {
    const redactor = createSecretRedactor({
      env: { HERD_BASE_URL: 'https://herd:pa%2Fss-w0rd-canary@llm.example.com/v1' },
    });
    const basic = Buffer.from('herd:pa/ss-w0rd-canary').toString('base64');
    expect(redactor.redact('password pa/ss-w0rd-canary leaked')).toBe(
      'password [redacted:HERD_BASE_URL] leaked',
    );
    expect(redactor.redact(`Authorization: Basic ${basic}`)).toBe(
      'Authorization: Basic [redacted:HERD_BASE_URL]',
    );
    // Printed as a URL, only the password goes: the user and the host stay readable.
    expect(redactor.redact('calling https://herd:pa%2Fss-w0rd-canary@llm.example.com/v1')).toBe(
      'calling https://herd:[redacted:HERD_BASE_URL]@llm.example.com/v1',
    );
  });

  it('reads the same redacted twice, never taking its own marker for a secret', () => {
    const redactor = createSecretRedactor({ env: { HERD_BASE_URL: 'http://u:long-password-1@h/v1' } });
    const once = redactor.redact('calling http://u:long-password-1@h/v1');
    expect(once).toBe('calling http://u:[redacted:HERD_BASE_URL]@h/v1');
    expect(redactor.redact(once)).toBe(once);
  });

  it('redacts credentials in URLs even when no variable holds them', () => {
    const redactor = createSecretRedactor({ env: {} });
    expect(redactor.redact('connect to postgres://app:hunter2@db:5432/app')).toBe(
      'connect to postgres://app:[redacted:url-credentials]@db:5432/app',
    );
  });

  it('redacts what the detector finds, and merges overlapping findings into one marker', () => {
    const detector: SecretDetector = {
      version: 'test',
      mayContain: (text) => text.includes('tok_'),
      find: (text) => {
        const start = text.indexOf('tok_');
        return [
          { start, end: start + 8, label: 'token' },
          { start: start + 4, end: start + 12, label: 'other' },
        ];
      },
    };
    const redactor = createSecretRedactor({ env: {}, detector });
    expect(redactor.redact('a tok_12345678 b')).toBe('a [redacted:token] b');
  });

  it('finds a secret that JSON text holds escaped, and keeps the JSON valid', () => {
    const secret = 'quote"and\\slash-secret';
    const redactor = createSecretRedactor({ env: { APP_SECRET: secret } });
    const json = JSON.stringify({ message: `echo ${secret}`, nested: [{ [secret]: 1 }] });
    const redacted = redactor.redactJson(json);
    expect(JSON.parse(redacted)).toEqual({
      message: 'echo [redacted:APP_SECRET]',
      nested: [{ '[redacted:APP_SECRET]': 1 }],
    });
    expect(redactor.redactJson('{"clean":true}')).toBe('{"clean":true}');
  });

  it('redacts every string of a JSON-like value and leaves class instances alone', () => {
    const redactor = createSecretRedactor({ env: { SERVICE_TOKEN: 'tkn-abcdef123456' } });
    const date = new Date(0);
    expect(redactor.redactValue({ list: ['tkn-abcdef123456', 3, null], date })).toEqual({
      list: ['[redacted:SERVICE_TOKEN]', 3, null],
      date,
    });
  });

  it('redacts a key cut short (a truncated message, a reply stopped at its token limit) when at least half is there', () => {
    const key = 'sk-herd-canary-together-7Qx2Lm9Vb4Np0Rt6';
    const redactor = createSecretRedactor({ env: { TOGETHER_API_KEY: key } });
    expect(redactor.redact(`invalid key ${key.slice(0, -3)}…`)).toBe(
      'invalid key [redacted:TOGETHER_API_KEY]…',
    );
    expect(redactor.redact(`…${key.slice(12)} was refused`)).toBe('…[redacted:TOGETHER_API_KEY] was refused');
    // A key split in two (two events, two table cells): each part is at least half of it on one side.
    const middle = key.length / 2;
    expect(redactor.redact(`${key.slice(0, middle)} | ${key.slice(middle)}`)).toBe(
      '[redacted:TOGETHER_API_KEY] | [redacted:TOGETHER_API_KEY]',
    );
    // Less than half of a key is left as it is: the start a vendor's keys share is no secret.
    expect(redactor.redact('keys look like sk-herd-canary-…')).toBe('keys look like sk-herd-canary-…');
    expect(redactor.mayContain(`x ${key.slice(0, 21)}`)).toBe(true);
  });

  it('says how much of a text’s end begins a secret value, for streams to hold back', () => {
    const redactor = createSecretRedactor({ env: { SERVICE_TOKEN: 'tkn-abcdef123456' } });
    expect(redactor.partialSecretLength('the token is tkn-abc')).toBe(7);
    expect(redactor.partialSecretLength('the token is tkn-abcdef123456')).toBe(0);
    expect(redactor.partialSecretLength('nothing here')).toBe(0);
  });

  it('has a fingerprint that changes with the secret values', () => {
    const first = createSecretRedactor({ env: { A_TOKEN: 'value-one-1234' } });
    const second = createSecretRedactor({ env: { A_TOKEN: 'value-two-1234' } });
    expect(first.fingerprint).not.toBe(second.fingerprint);
    expect(first.fingerprint).toBe(createSecretRedactor({ env: { A_TOKEN: 'value-one-1234' } }).fingerprint);
  });
});
