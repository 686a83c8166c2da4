import { providerPresets } from '../providers/provider-presets.js';

/** Replaces known secret values in text before it reaches a log, an event, an error or a saved session. */
export interface SecretRedactor {
  /** Names of the variables whose values are redacted. */
  readonly names: readonly string[];
  /** Returns `text` with every secret value replaced by `[redacted:NAME]`. */
  redact(text: string): string;
}

const secretNamePattern = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH)/i;
// Names that match the pattern but hold locations, not secrets (SSH_AUTH_SOCK, GOOGLE_APPLICATION_CREDENTIALS_FILE).
const notSecretPattern = /(_SOCK|_PATH|_FILE|_DIR|_URL_FILE)$/i;
// Values this short are too likely to occur by chance to be redacted safely.
const minimumSecretLength = 8;

/**
 * Builds a redactor from the environment: the value of every provider key variable and of every variable
 * whose name looks secret (`*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`, ...).
 *
 * @example
 * ```ts
 * const redactor = createSecretRedactor({ env: { LLAMA_API_KEY: 'sk-live-123456' } });
 * redactor.redact('key sk-live-123456'); // 'key [redacted:LLAMA_API_KEY]'
 * ```
 */
export function createSecretRedactor(
  options: { env?: NodeJS.ProcessEnv; extraNames?: readonly string[] } = {},
): SecretRedactor {
  const env = options.env ?? process.env;
  const keyNames = new Set<string>([
    ...Object.values(providerPresets).map((preset) => preset.apiKeyEnv),
    ...(options.extraNames ?? []),
  ]);
  const entries: Array<{ name: string; value: string }> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < minimumSecretLength) continue;
    if (keyNames.has(name) || (secretNamePattern.test(name) && !notSecretPattern.test(name)))
      entries.push({ name, value });
  }
  // Longest first, so a secret that contains another is replaced whole.
  entries.sort((left, right) => right.value.length - left.value.length);
  return {
    names: entries.map((entry) => entry.name),
    redact(text) {
      let result = text;
      for (const { name, value } of entries) {
        if (result.includes(value)) result = result.split(value).join(`[redacted:${name}]`);
      }
      return result;
    },
  };
}
