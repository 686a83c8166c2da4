import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { providerPresets } from '../providers/provider-presets.js';
import { findUrlCredentials } from './find-url-credentials.js';

/** One value to look for verbatim, and the variable it came from. */
export interface EnvironmentSecret {
  /** The variable, e.g. `TOGETHER_API_KEY`; it names the redaction. */
  name: string;
  /** The text to find. */
  value: string;
}

// Names of secrets as tools spell them: API_KEY, GH_TOKEN, AWS_SECRET_ACCESS_KEY, PGPASSWORD, MYSQL_PWD, SMTP_PASS,
// GPG_PASSPHRASE, SENTRY_DSN, SLACK_WEBHOOK_URL, AZURE_STORAGE_CONNECTION_STRING, BASIC_AUTH, SESSION_COOKIE.
// AUTH is a credential, AUTHOR (GIT_AUTHOR_NAME, a CI job's commit identity) is not.
const secretNamePattern =
  /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|AUTH(?!OR(?:S|_|$))|COOKIE|WEBHOOK|CONNECTION_?STRING|(?:^|_)(?:PWD|PASS|DSN)(?:_|$)/i;
// Names that match the pattern but hold locations, not secrets (SSH_AUTH_SOCK, GOOGLE_APPLICATION_CREDENTIALS_FILE).
const notSecretPattern = /(_SOCK|_PATH|_FILE|_DIR|_URL_FILE)$|^PWD$/i;
// Values this short are too likely to occur by chance to be redacted safely.
const minimumSecretLength = 8;
// A value that is one short word or number (POSTGRES_PASSWORD=postgres, DB_PASSWORD=changeme, PIN_CODE=12345678)
// is a default, not a secret: it is in ordinary text everywhere (the task, file names, line counts, times), and
// replacing it there would mangle every output and every prompt while protecting nothing.
const defaultWord = /^(?:[A-Za-z]{1,11}|[0-9]{1,11})$/;

/**
 * The secret values of an environment: every provider key variable (and `extraNames`), every variable whose name
 * looks secret (`*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`, `*_PWD`, `*_PASS`, `*_DSN`, `*WEBHOOK*`,
 * `*CONNECTION_STRING*`...), and the password inside any URL held by any variable
 * (`HERD_BASE_URL=https://user:password@host`, `DATABASE_URL`, `HTTPS_PROXY`). Each value is also listed in the forms
 * it takes when it is echoed: URL-decoded, URL-encoded, JSON-escaped, and (for URL credentials) as the Base64 of an
 * HTTP Basic `Authorization` header. Longest first, so a secret that contains another is replaced whole.
 *
 * Left out, because they are not secrets and would mangle ordinary text: values shorter than 8 characters, a value
 * that is one word of letters or one number shorter than 12 characters (`postgres`, `12345678`), and the path of an existing file or folder
 * (`GOOGLE_APPLICATION_CREDENTIALS=/home/me/key.json` names where the key is; the key file itself is the jail's to
 * refuse).
 */
export function environmentSecrets(options: {
  env: NodeJS.ProcessEnv;
  extraNames?: readonly string[] | undefined;
}): EnvironmentSecret[] {
  const keyNames = new Set<string>([
    ...Object.values(providerPresets).map((preset) => preset.apiKeyEnv),
    ...(options.extraNames ?? []),
  ]);
  const found = new Map<string, string>();
  const add = (name: string, value: string) => {
    if (defaultWord.test(value)) return;
    const forms = [value, safeDecode(value), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
    for (const form of forms) {
      if (form.length >= minimumSecretLength && !found.has(form)) found.set(form, name);
    }
  };
  for (const [name, value] of Object.entries(options.env)) {
    if (!value) continue;
    if (keyNames.has(name) || (secretNamePattern.test(name) && !notSecretPattern.test(name))) {
      if (!isLocation(value)) add(name, value);
    }
    for (const span of findUrlCredentials(value)) {
      const password = value.slice(span.start, span.end);
      add(name, password);
      const user = value.slice(value.lastIndexOf('//', span.start) + 2, span.start - 1);
      const basic = Buffer.from(`${safeDecode(user)}:${safeDecode(password)}`).toString('base64');
      if (password.length >= minimumSecretLength && !defaultWord.test(password)) add(name, basic);
    }
  }
  return [...found]
    .map(([value, name]) => ({ name, value }))
    .sort((left, right) => right.value.length - left.value.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Whether a value is the absolute path of something that exists: where a secret is kept, not the secret. */
function isLocation(value: string): boolean {
  if (!isAbsolute(value) || value.length > 4096 || /[\n\0]/.test(value)) return false;
  try {
    return existsSync(value);
  } catch {
    return false;
  }
}
