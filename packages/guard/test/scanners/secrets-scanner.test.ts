import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createSecretsScanner } from '../../src/scanners/secrets-scanner.js';

const githubToken = `ghp_${'a1B2c3D4e5'.repeat(3)}123456`;
const privateKey = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAvG0gXz2s1yP3Qm7b9D6XlOa1Z8xK2c4Yw0nJ5eT1hR7uQ3m2',
  'aG9wZWZ1bGx5IG5vYm9keSByZWFkcyB0aGlzIGZha2UgdGVzdCBrZXkgYm9keQ==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('secrets scanner', () => {
  const scanner = createSecretsScanner({ env: {} });

  it('finds a GitHub token with its exact span', async () => {
    const text = `export GITHUB_TOKEN=${githubToken}\n`;
    const [finding] = await scanner.scan([{ text }]);
    expect(finding?.categories).toEqual(['github']);
    const span = finding?.spans[0];
    expect(text.slice(span?.start, span?.end)).toBe(githubToken);
  });

  it('leaves nothing behind in the performance timeline, however many texts it scans', async () => {
    await scanner.scan([{ text: 'warm up' }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = performance.getEntries().length;
    await scanner.scan(Array.from({ length: 50 }, (_, index) => ({ text: `line ${index} ${githubToken}` })));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(performance.getEntries().length).toBe(before);
  });

  it('finds a private key block', async () => {
    const [finding] = await scanner.scan([{ text: `key:\n${privateKey}\n` }]);
    expect(finding?.categories).toContain('privatekey');
  });

  it('finds the value of a secret environment variable verbatim', async () => {
    const withEnvironment = createSecretsScanner({
      env: { TOGETHER_API_KEY: 'tgp_v1_local-test-value-123' },
    });
    const [finding] = await withEnvironment.scan([
      { text: 'curl -H "Authorization: Bearer tgp_v1_local-test-value-123"' },
    ]);
    // Named after the variable (never its value), exactly as every output of the product redacts it.
    expect(finding?.categories).toEqual(['TOGETHER_API_KEY']);
  });

  it('covers all of an AWS secret key and flags the access key id (what reaches Scout and the audit log)', async () => {
    const secret = 'Hq7v2Rk9Lm3Np8Xz4Tb6Wd1Fg5Jc0Ys2Ue7Ia9Ok';
    const text = `export default { accessKeyId: 'AKIAHERDCANARY123456', secretAccessKey: '${secret}' };`;
    const [finding] = await scanner.scan([{ text }]);
    const covered = finding?.spans.map((span) => text.slice(span.start, span.end));
    expect(covered).toEqual(['AKIAHERDCANARY123456', secret]);
  });

  it('passes ordinary code', async () => {
    const [finding] = await scanner.scan([
      { text: 'const apiKey = process.env.API_KEY;\nreturn fetch(url);\n' },
    ]);
    expect(finding).toEqual({ score: 0, categories: [], spans: [] });
  });
});
