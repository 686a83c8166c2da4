import { providerPresets } from '../providers/provider-presets.js';
import { findUrlCredentials } from './find-url-credentials.js';

/** One value to look for verbatim, and the variable it came from. */
export interface EnvironmentSecret {
  /** The variable, e.g. `TOGETHER_API_KEY`; it names the redaction. */
  name: string;
  /** The text to find. */
  value: string;
}

const secretNamePattern = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH)/i;
// Names that match the pattern but hold locations, not secrets (SSH_AUTH_SOCK, GOOGLE_APPLICATION_CREDENTIALS_FILE).
const notSecretPattern = /(_SOCK|_PATH|_FILE|_DIR|_URL_FILE)$/i;
// Values this short are too likely to occur by chance to be redacted safely.
const minimumSecretLength = 8;

/**
 * The secret values of an environment: every provider key variable (and `extraNames`), every variable whose name
 * looks secret (`*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`, ...), and the password inside any URL held by any
 * variable (`HERD_BASE_URL=https://user:password@host`, `DATABASE_URL`, `HTTPS_PROXY`). Each value is also listed
 * in the forms it takes when it is echoed: URL-decoded, JSON-escaped, and (for URL credentials) as the Base64 of an
 * HTTP Basic `Authorization` header. Longest first, so a secret that contains another is replaced whole.
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
    for (const form of [value, safeDecode(value), JSON.stringify(value).slice(1, -1)]) {
      if (form.length >= minimumSecretLength && !found.has(form)) found.set(form, name);
    }
  };
  for (const [name, value] of Object.entries(options.env)) {
    if (!value) continue;
    if (keyNames.has(name) || (secretNamePattern.test(name) && !notSecretPattern.test(name)))
      add(name, value);
    for (const span of findUrlCredentials(value)) {
      const password = value.slice(span.start, span.end);
      add(name, password);
      const user = value.slice(value.lastIndexOf('//', span.start) + 2, span.start - 1);
      const basic = Buffer.from(`${safeDecode(user)}:${safeDecode(password)}`).toString('base64');
      if (password.length >= minimumSecretLength) add(name, basic);
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
