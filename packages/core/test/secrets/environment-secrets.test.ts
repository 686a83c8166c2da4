import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentSecrets } from '../../src/secrets/environment-secrets.js';
import { createSecretRedactor } from '../../src/secrets/secret-redactor.js';

const namesOf = (env: NodeJS.ProcessEnv) => [
  ...new Set(environmentSecrets({ env }).map((entry) => entry.name)),
];

describe('environmentSecrets', () => {
  it('knows the secret variables of common tools whose names say PWD, PASS, DSN, webhook or connection string', () => {
    const env = {
      MYSQL_PWD: 'Zx9-mysql-pwd-canary',
      SMTP_PASS: 'smtp-pass-canary-41',
      GPG_PASSPHRASE: 'passphrase-canary-42',
      SENTRY_DSN: 'https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/2',
      SLACK_WEBHOOK_URL: 'https://hooks.example.com/services/T000/B000/webhook-canary-43',
      AZURE_STORAGE_CONNECTION_STRING: 'AccountName=herd;AccountKey=azure-canary-44==',
      SESSION_COOKIE: 'cookie-canary-value-45',
    };
    expect(namesOf(env).sort()).toEqual(Object.keys(env).sort());
    // PWD is the working directory, OLDPWD the one before; their values are folders, not passwords.
    expect(namesOf({ PWD: '/home/runner/work/app', OLDPWD: '/home/runner/work' })).toEqual([]);
  });

  it('takes a name with AUTHOR in it for an author, not a credential', () => {
    const env = {
      GIT_AUTHOR_NAME: 'Jane Developer',
      GIT_AUTHOR_EMAIL: 'jane@example.com',
      BASIC_AUTH: 'u:auth-canary-46',
    };
    expect(namesOf(env)).toEqual(['BASIC_AUTH']);
  });

  it('leaves a one-word or one-number default such as postgres alone, but not a password with more in it', () => {
    const env = {
      POSTGRES_PASSWORD: 'postgres',
      DB_PASSWORD: 'changeme',
      PIN_PASSWORD: '12345678',
      ADMIN_PASSWORD: 'postgres-2024',
    };
    expect(namesOf(env)).toEqual(['ADMIN_PASSWORD']);
  });

  it('leaves a variable that holds the path of an existing file alone: it is a location, not a secret', () => {
    const folder = mkdtempSync(join(tmpdir(), 'herd-env-secrets-'));
    const keyFile = join(folder, 'gha-creds-0123.json');
    writeFileSync(keyFile, '{}');
    expect(namesOf({ GOOGLE_APPLICATION_CREDENTIALS: keyFile, XAUTHORITY: folder })).toEqual([]);
  });
});

describe('createSecretRedactor on the forms a value takes when echoed', () => {
  it('redacts a value echoed URL-encoded (a password with @, / or + in a query string or form body)', () => {
    const redactor = createSecretRedactor({
      env: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY+EXAMPLEKEY' },
    });
    expect(redactor.redact('POST secret=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCY%2BEXAMPLEKEY&x=1')).toBe(
      'POST secret=[redacted:AWS_SECRET_ACCESS_KEY]&x=1',
    );
  });
});
