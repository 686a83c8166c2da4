import { describe, expect, it } from 'vitest';
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
});
