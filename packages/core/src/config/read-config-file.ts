import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.js';

/** The largest configuration file Herd reads: a real one is a few kilobytes. */
export const maxConfigFileBytes = 1024 * 1024;

/** The deepest nesting of arrays and objects a configuration may have (Herd's own schema needs about 8). */
export const maxConfigDepth = 64;

/** How the configuration file was chosen, which decides the fix a message suggests. */
export type ConfigFileChoice = 'option' | 'HERD_CONFIG' | 'search';

/** A configuration file as read: its parsed JSON and the SHA-256 of the exact bytes parsed. */
export interface ConfigFileContents {
  /** The parsed JSON value. */
  value: unknown;
  /** Hex SHA-256 of the bytes that were parsed, so a trust check judges exactly what is used. */
  sha256: string;
}

/**
 * Reads and parses a configuration file defensively: only a regular file is read (a FIFO would block every command
 * forever, `/dev/zero` would never end), at most {@link maxConfigFileBytes}, and JSON nested deeper than
 * {@link maxConfigDepth} is refused before anything walks it recursively. A UTF-8 byte order mark is ignored.
 *
 * @throws {ConfigError} naming the file and the fix: missing, unreadable, not a regular file, too large, not JSON,
 * too deeply nested.
 */
export function readConfigFile(options: { file: string; chosenBy: ConfigFileChoice }): ConfigFileContents {
  const { file, chosenBy } = options;
  const otherwise = {
    option: 'or pass the path of a JSON file',
    HERD_CONFIG: 'or point HERD_CONFIG at a JSON file (or unset it)',
    search: 'or remove it, or point HERD_CONFIG at another file',
  }[chosenBy];
  const bytes = readRegularFile(file, otherwise);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError({
      source: file,
      code: 'config_not_json',
      cause: error,
      message: `The configuration file ${file} is not valid JSON (${(error as Error).message}); fix the syntax (no comments or trailing commas).`,
    });
  }
  const deep = firstTooDeepPath(value);
  if (deep !== undefined) {
    throw new ConfigError({
      source: file,
      code: 'config_too_deep',
      issues: [{ path: deep || '(root)', message: `nested more than ${maxConfigDepth} levels deep` }],
      message: `The configuration file ${file} nests arrays or objects more than ${maxConfigDepth} levels deep (at ${deep || 'the root'}); no Herd setting is that deep, so fix the file ${otherwise}.`,
    });
  }
  return { value, sha256 };
}

function readRegularFile(file: string, otherwise: string): Buffer {
  let descriptor: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of waiting for one.
    descriptor = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw unreadable(file, error, otherwise);
  }
  try {
    const stats = fstatSync(descriptor);
    if (stats.isDirectory()) {
      throw new ConfigError({
        source: file,
        code: 'config_unreadable',
        message: `The configuration path ${file} is a directory, not a JSON file; replace it with a herd.config.json file ${otherwise}.`,
      });
    }
    if (!stats.isFile()) {
      throw new ConfigError({
        source: file,
        code: 'config_unreadable',
        message: `The configuration path ${file} is not a regular file (a FIFO, socket or device, perhaps through a symbolic link); replace it with a JSON file ${otherwise}.`,
      });
    }
    if (stats.size > maxConfigFileBytes) throw tooLarge(file, otherwise);
    // Read to the end but never past the limit: the size fstat gave may be stale if something writes the file.
    const bytes = Buffer.alloc(maxConfigFileBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(descriptor, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxConfigFileBytes) throw tooLarge(file, otherwise);
    }
    return bytes.subarray(0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(file, error, otherwise);
  } finally {
    closeSync(descriptor);
  }
}

function tooLarge(file: string, otherwise: string): ConfigError {
  return new ConfigError({
    source: file,
    code: 'config_too_large',
    message: `The configuration file ${file} is larger than ${maxConfigFileBytes / 1024 / 1024} MiB; a Herd configuration is a few kilobytes, so replace it with the settings you need ${otherwise}.`,
  });
}

function unreadable(file: string, error: unknown, otherwise: string): ConfigError {
  const reason = (error as NodeJS.ErrnoException).code ?? 'error';
  if (reason === 'EISDIR') {
    return new ConfigError({
      source: file,
      code: 'config_unreadable',
      cause: error,
      message: `The configuration path ${file} is a directory, not a JSON file; replace it with a herd.config.json file ${otherwise}.`,
    });
  }
  return new ConfigError({
    source: file,
    code: 'config_unreadable',
    cause: error,
    message:
      reason === 'ENOENT'
        ? `The configuration file ${file} does not exist; create it ${otherwise}.`
        : `Cannot read the configuration file ${file} (${reason}); make it readable (chmod a+r) ${otherwise}.`,
  });
}

/**
 * The dotted path of the first value nested deeper than {@link maxConfigDepth}, or `undefined`. Walks with an
 * explicit stack, so a hostile file cannot overflow the call stack here either.
 */
function firstTooDeepPath(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: root, depth: 0, path: '' }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, depth, path } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxConfigDepth) return path;
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, depth: depth + 1, path: path ? `${path}.${key}` : key });
    }
  }
  return undefined;
}
