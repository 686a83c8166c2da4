import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRepository } from './pack-fixture.js';

// Every value below is made up for this test; none is a real credential.
const awsKeyId = 'AKIAHERDCANARY123456';
const awsSecret = 'Hq7v2Rk9Lm3Np8Xz4Tb6Wd1Fg5Jc0Ys2Ue7Ia9Ok';
const postgresPassword = 'Str0ngPa55w0rd';
const deployToken = 'herd-pack-canary-0123456789';
// The packer redacts with the product's redactor over this process's environment, built on first use and kept for
// the process. Test files share their worker's modules (vitest.config.ts), so this file sets the variable, then
// loads the packer anew; afterwards it drops both, and the next file loads modules that never saw the variable.
let packRepository: typeof import('../../src/context/pack-repository.js').packRepository;
beforeAll(async () => {
  vi.stubEnv('HERD_PACK_TEST_DEPLOY_TOKEN', deployToken);
  vi.resetModules();
  ({ packRepository } = await import('../../src/context/pack-repository.js'));
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('packRepository secrets', () => {
  it('leaves no part of an AWS key, a database password, URL credentials or a secret variable in the document', async () => {
    const root = createRepository({
      'src/aws.ts': `export const aws = {\n  accessKeyId: '${awsKeyId}',\n  secretAccessKey: '${awsSecret}',\n};\n`,
      'src/db.ts': `export const url = 'postgres://app:${postgresPassword}@db.example.com:5432/app';\n`,
      // As in zod's tests: a URL with credentials written as the literal user:pass@host.
      'test/url.test.ts': "it('parses', () => expect(url.parse('http://user:pass@host')).toBeTruthy());\n",
      'deploy.sh': `curl -H "Authorization: Bearer ${deployToken}" https://deploy.example.com\n`,
    });
    const { document, stats } = await packRepository({ root, budget: 100_000, cache: false });

    for (const secret of [
      awsKeyId,
      awsSecret,
      awsSecret.slice(-18),
      postgresPassword,
      ':pass@',
      deployToken,
    ]) {
      expect(document).not.toContain(secret);
    }
    expect(document).toContain("secretAccessKey: '[redacted:aws]'");
    expect(document).toContain("accessKeyId: '[redacted:aws]'");
    expect(document).toContain(
      'postgres://app:[redacted:database-connection-string]@db.example.com:5432/app',
    );
    expect(document).toContain('http://user:[redacted:url-credentials]@host');
    expect(document).toContain('Bearer [redacted:HERD_PACK_TEST_DEPLOY_TOKEN]');
    expect(stats.redactions).toEqual(
      expect.arrayContaining([
        { path: 'src/aws.ts', line: 2, rule: 'aws' },
        { path: 'src/aws.ts', line: 3, rule: 'aws' },
        { path: 'src/db.ts', line: 1, rule: 'database-connection-string' },
        { path: 'test/url.test.ts', line: 1, rule: 'url-credentials' },
        { path: 'deploy.sh', line: 1, rule: 'HERD_PACK_TEST_DEPLOY_TOKEN' },
      ]),
    );
    expect(JSON.stringify(stats)).not.toContain(awsSecret.slice(-18));
  });
});
