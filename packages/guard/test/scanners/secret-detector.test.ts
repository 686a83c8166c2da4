import { lintSource } from '@secretlint/core';
import { creator as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { secretDetector } from '../../src/scanners/secret-detector.js';

/** What the detector redacts in `text`, as the substrings it covers. */
const found = (text: string, path?: string) =>
  secretDetector.find(text, path ? { path } : {}).map((span) => text.slice(span.start, span.end));

// Every value below is made up for these tests; none is a real credential.
const awsSecret = 'Hq7v2Rk9Lm3Np8Xz4Tb6Wd1Fg5Jc0Ys2Ue7Ia9Ok';
const awsKeyId = 'AKIAHERDCANARY123456';
const base64Body = `MII${'EowIBAAKCAQEAvG0gXz2s1yP3Qm7b9D6XlOa1Z8xK2c4Yw0nJ5eT1hR7uQ3m2'.repeat(3)}`;
const privateKey = `-----BEGIN RSA PRIVATE KEY-----\n${base64Body}\n-----END RSA PRIVATE KEY-----`;
const onePasswordJson = JSON.stringify({
  email: 'ejwe64qmlxhri@1passwordserviceaccounts.lcl',
  muk: { alg: 'A256GCM', ext: true, k: 'M8VPfIc8VEfThcMXLaKCKF8sMh5JMZsPAtu92fQNb-o', kty: 'oct', kid: 'mp' },
  secretKey: 'A3-C4ZJMN-PQTZTL-HGL84-G64M7-KVZRN-4ZVP6',
  signInAddress: 'gotham.b5local.com:4000',
});
// The token is the Base64 of a JSON object whose closing brace encodes as 'fQ==': one byte past a multiple of 3.
const onePassword = `ops_${Buffer.from(`${onePasswordJson.slice(0, -1)}${' '.repeat((4 - (onePasswordJson.length % 3)) % 3)}}`).toString('base64')}`;

/** One sample per rule of secretlint's recommended preset, with the file name some rules need. */
const samples: Array<{ rule: string; text: string; path?: string }> = [
  { rule: 'aws (key id)', text: `const id = "${awsKeyId}";` },
  { rule: 'aws (secret key)', text: `secretAccessKey: "${awsSecret}",` },
  { rule: 'aws (account id)', text: 'aws_account_id = 123456789012' },
  {
    rule: 'gcp',
    path: 'service-account.json',
    text: JSON.stringify({ type: 'service_account', private_key_id: 'abc', private_key: privateKey }),
  },
  { rule: 'npm (token)', text: `//registry.npmjs.org/:_authToken=npm_${'a1B2c3D4e5F6'.repeat(3)}` },
  { rule: 'npm (.npmrc)', path: '.npmrc', text: '//registry.example.com/:_authToken=abcdef0123456789abcdef' },
  {
    rule: 'npm (package.json)',
    path: 'package.json',
    text: '{"dependencies":{"x":"https://f0e1d2c3b4a5f6e7:x-oauth-basic@github.com/org/x.git"}}',
  },
  { rule: 'slack (token)', text: 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx' },
  {
    rule: 'slack (webhook)',
    text: 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/AbCdEfGhIjKlMnOpQrStUvWx',
  },
  { rule: 'basicauth', text: 'curl https://deploybot:Zx9kQ2mP7vLs@ci.example.com/hook' },
  { rule: 'openai', text: `OPENAI=sk-${'Ab3dEf6hIj'.repeat(2)}T3BlbkFJ${'Kl9nOp2rSt'.repeat(2)}` },
  { rule: 'anthropic', text: `ANTHROPIC=sk-ant-api03-${'Ab3dEf6hIj'.repeat(9)}xyzAA` },
  { rule: 'linear', text: `LINEAR=lin_api_${'Ab3dEf6hIj'.repeat(4)}` },
  { rule: 'privatekey', text: `key:\n${privateKey}\n` },
  {
    rule: 'sendgrid',
    text: `SG.${'Ab3dEf6hIjKl9nOp2rStUv'}.${'Wx4zAb3dEf6hIjKl9nOp2rStUvWx4zAb3dEf6hIjK'}X1`,
  },
  { rule: 'shopify', text: `shpat_${'0123456789abcdef'.repeat(2)}` },
  { rule: 'github', text: `GITHUB_TOKEN=ghp_${'a1B2c3D4e5'.repeat(3)}123456` },
  { rule: '1password', text: `OP_TOKEN=${onePassword}` },
  { rule: 'database (postgres)', text: 'DATABASE_URL=postgres://app:Str0ngPa55w0rd@db.example.com:5432/app' },
  { rule: 'database (mysql)', text: 'mysql://root:Str0ngPa55w0rd@127.0.0.1:3306/test' },
  { rule: 'database (mongodb)', text: 'mongodb+srv://app:Str0ngPa55w0rd@cluster0.example.net/app' },
];

describe('secretDetector', () => {
  it('redacts the whole AWS secret key, not 40 characters from the start of its label', () => {
    const text = `const config = { accessKeyId: "${awsKeyId}", secretAccessKey: "${awsSecret}" };`;
    expect(found(text)).toEqual(expect.arrayContaining([awsKeyId, awsSecret]));
    expect(found(text).every((secret) => secret === awsKeyId || secret === awsSecret)).toBe(true);
  });

  it('flags an AWS access key id on its own', () => {
    expect(found(`export AWS_ACCESS_KEY_ID=${awsKeyId}`)).toEqual([awsKeyId]);
  });

  it('redacts the password of a Postgres URL and of user:pass@host, keeping the host readable', () => {
    expect(found('postgres://app:Str0ngPa55w0rd@db.example.com:5432/app')).toEqual(['Str0ngPa55w0rd']);
    // secretlint skips "pass" as a placeholder; a password in a URL is redacted whatever it is.
    expect(found("new URL('http://user:pass@host')")).toEqual(['pass']);
  });

  it('cannot be switched off by a comment in the text it scans', () => {
    const text = `// secretlint-disable\nconst token = "ghp_${'a1B2c3D4e5'.repeat(3)}123456";\n`;
    expect(found(text)).toHaveLength(1);
  });

  it.each([
    ['a GitLab token', `glpat-${'Ab3dEf6hIj'.repeat(2)}`],
    ['a Stripe secret key', `sk_live_${'Ab3dEf6hIj'.repeat(3)}`],
    ['a Google API key', `AIza${'Ab3dEf6hIj'.repeat(3)}Ab3dE`],
    ['a GitHub token longer than 36 characters', `ghp_${'a1B2c3D4e5'.repeat(4)}`],
  ])('finds key formats secretlint does not know: %s', (_name, secret) => {
    expect(secretDetector.mayContain(`token = "${secret}"`)).toBe(true);
    expect(found(`token = "${secret}"`)).toEqual([secret]);
  });

  it('passes ordinary code without running the rules', () => {
    const code = 'const apiKey = process.env.API_KEY;\nexport const url = "https://example.com/a";\n';
    expect(secretDetector.mayContain(code)).toBe(false);
    expect(found(code)).toEqual([]);
  });

  it.each(samples)('finds everything secretlint finds: $rule', async ({ text, path }) => {
    const result = await lintSource({
      source: { filePath: path ?? 'content.txt', content: text, contentType: 'text' },
      options: {
        config: {
          rules: [
            {
              id: '@secretlint/secretlint-rule-preset-recommend',
              rule: recommendedRules,
              rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
            },
          ],
        },
        noPhysicFilePath: true,
      },
    });
    // The sample is one secretlint recognises, so the comparison means something.
    expect(result.messages.length).toBeGreaterThan(0);
    // The cheap first look lets it through, as text and JSON-escaped inside a larger document.
    expect(secretDetector.mayContain(text)).toBe(true);
    expect(secretDetector.mayContain(JSON.stringify({ text }))).toBe(true);
    const spans = secretDetector.find(text, path ? { path } : {});
    for (const message of result.messages) {
      const [start, end] = message.range;
      // Each finding is covered, or moved onto the secret inside the rule's match.
      expect(spans.some((span) => span.start < end && span.end > start)).toBe(true);
    }
  });
});
