import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { herdStateDirectory } from '../state/local-cache-secret.js';
import {
  type ConfigSectionJudges,
  type ConfigWeakening,
  describeConfigWeakenings,
} from './config-weakening.js';
import { findConfigWeakenings } from './find-config-weakenings.js';
import type { LoadedHerdConfig } from './load-herd-config.js';

/**
 * Where a configuration stands against what a person last ran Herd with in the same repository:
 * - `unchanged`: the same file with the same bytes;
 * - `first-use`: Herd has not run in this repository before (nothing to compare with; recorded from now on);
 * - `no-file`: no configuration file, only the environment and defaults;
 * - `changed`: the file's bytes differ from those a person last ran with;
 * - `new-file`: Herd ran here before with another file, or with none, and this one appeared since.
 * The last two need a person: a model acting in an earlier run (or something it started) may have written them.
 * So does a file that weakens Herd (see {@link ConfigTrust.weakenings}) until a person accepted it: a cloned
 * repository's or a pull request's configuration is a first use too.
 */
export type ConfigTrustStatus = 'unchanged' | 'first-use' | 'no-file' | 'changed' | 'new-file';

/** The verdict of {@link checkConfigTrust}. */
export interface ConfigTrust {
  status: ConfigTrustStatus;
  /** The configuration file in use, if any. */
  file: string | undefined;
  /** SHA-256 of its bytes as parsed. */
  sha256: string | undefined;
  /** For `changed`: the SHA-256 a person last ran with, and when it was recorded. */
  confirmed?: { sha256: string; at: string };
  /** The repository the record is kept for (the nearest folder with `.git`, else the workspace). */
  scope: string;
  /**
   * When the scope has no record of its own: the enclosing folder whose record judged the file. Herd ran there
   * before, so a model acting in that run could have written anything below it, a `.git` that makes a new scope
   * included.
   */
  enclosing?: string;
  /** The record, outside the workspace where neither a model's tools nor its sandboxed commands can write. */
  recordFile: string;
  /**
   * What the file weakens against Herd's defaults (sandbox, command policy, guard, where keys go; see
   * `findConfigWeakenings`). Empty without a file.
   */
  weakenings: ConfigWeakening[];
  /**
   * Whether the file is the person's own: named by `HERD_CONFIG` (or a caller's option) outside the workspace and its
   * repository, where neither a model nor the repository's content put it. What it weakens is then their choice.
   */
  personal: boolean;
  /** Whether a person accepted these very bytes here (`herd config trust`, a yes when asked, `herd init`). */
  acceptedByPerson: boolean;
}

const TrustRecordSchema = z.object({
  scope: z.string(),
  files: z.record(
    z.string(),
    z.object({
      sha256: z.string(),
      at: z.string(),
      /** A person accepted these bytes; absent when they were only used (trust on first use, or vouched for once). */
      person: z.boolean().optional(),
    }),
  ),
});
type TrustRecord = z.infer<typeof TrustRecordSchema>;

/**
 * The folder trust records are kept in: `$XDG_STATE_HOME/herd/trusted-configs`, by default
 * `~/.local/state/herd/trusted-configs`. It lies outside every workspace, and the sandbox hides home directories,
 * so a model can change neither it nor, unnoticed, the configuration it vouches for.
 */
export function configTrustDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(herdStateDirectory(env), 'trusted-configs');
}

/**
 * Compares the configuration a command is about to use with the one a person last ran Herd with in the same
 * repository (kept by {@link recordConfigTrust}), and finds what it weakens. Reads only; nothing is recorded.
 *
 * @param options.judges the judges of the `tools`, `policy` and `run` sections (their packages own the defaults).
 */
export function checkConfigTrust(options: {
  loaded: LoadedHerdConfig;
  workspace: string;
  env?: NodeJS.ProcessEnv;
  judges: ConfigSectionJudges;
}): ConfigTrust {
  const { loaded } = options;
  const scope = repositoryScope(options.workspace);
  const recordFile = recordFileOf(scope, options.env);
  const file = loaded.file ? realOrSame(loaded.file) : undefined;
  const reach = [realOrSame(resolve(options.workspace)), scope];
  const own = {
    file,
    sha256: loaded.sha256,
    scope,
    recordFile,
    weakenings: file
      ? findConfigWeakenings({
          config: loaded.config,
          baseDirectory: loaded.baseDirectory,
          reach,
          ...(options.env ? { env: options.env } : {}),
          sections: options.judges,
        })
      : [],
    personal:
      file !== undefined &&
      loaded.chosenBy !== undefined &&
      loaded.chosenBy !== 'search' &&
      !reach.some((folder) => isWithin(file, folder)),
    acceptedByPerson: false,
  };
  if (!file || !loaded.sha256) return { status: 'no-file', ...own };
  const ownRecord = readRecord(recordFile);
  const enclosing = ownRecord ? undefined : enclosingRecord(scope, options.env);
  const record = ownRecord ?? enclosing?.record;
  const base = enclosing ? { ...own, enclosing: enclosing.scope } : own;
  if (!record) return { status: 'first-use', ...base };
  const confirmed = record.files[file];
  if (!confirmed) return { status: 'new-file', ...base };
  if (confirmed.sha256 === loaded.sha256) {
    return { status: 'unchanged', ...base, acceptedByPerson: confirmed.person === true };
  }
  return { status: 'changed', ...base, confirmed };
}

/** Whether what the configuration weakens still needs a person: it is not theirs and they have not accepted it. */
export function configWeakeningsNeedPerson(trust: ConfigTrust): boolean {
  return trust.weakenings.length > 0 && !trust.personal && !trust.acceptedByPerson;
}

/**
 * Whether the configuration needs a person's confirmation before Herd acts on it: it changed or appeared since a
 * person ran Herd here, or it weakens Herd and no person accepted it (a first use included).
 */
export function configTrustNeedsPerson(trust: ConfigTrust): boolean {
  return trust.status === 'changed' || trust.status === 'new-file' || configWeakeningsNeedPerson(trust);
}

/**
 * Records that Herd runs with this configuration in this repository (or, with no file, that Herd ran here), so the
 * next run can tell whether it changed since; with `person`, that a person accepted these bytes, weakenings and all.
 * Written atomically, readable by the user only.
 */
export function recordConfigTrust(trust: ConfigTrust, options: { person?: boolean } = {}): void {
  const person = options.person === true;
  const record: TrustRecord = { files: {}, ...readRecord(trust.recordFile), scope: trust.scope };
  if (trust.file && trust.sha256) {
    const known = record.files[trust.file];
    if (known?.sha256 === trust.sha256 && (known.person || !person) && existsSync(trust.recordFile)) return;
    record.files[trust.file] = {
      sha256: trust.sha256,
      at: new Date().toISOString(),
      ...(person ? { person: true } : {}),
    };
  } else if (existsSync(trust.recordFile)) {
    return;
  }
  mkdirSync(dirname(trust.recordFile), { recursive: true, mode: 0o700 });
  const draft = `${trust.recordFile}.${randomUUID()}.tmp`;
  try {
    writeFileSync(draft, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    renameSync(draft, trust.recordFile);
  } finally {
    rmSync(draft, { force: true });
  }
}

/** One sentence saying what changed and what the file weakens, for a question or a refusal. */
export function describeConfigTrust(trust: ConfigTrust): string {
  const file = trust.file ?? 'the configuration';
  const weakens =
    trust.weakenings.length > 0 ? `; it weakens Herd: ${describeConfigWeakenings(trust.weakenings)}` : '';
  if (trust.status === 'changed') {
    return `${file} changed since a person last ran Herd with it in ${trust.enclosing ?? trust.scope} (${trust.confirmed?.at ?? 'earlier'}); a model acting in a run, or a command it started, can write it${weakens}`;
  }
  if (trust.status === 'new-file') {
    return `${file} appeared since Herd last ran in ${trust.enclosing ?? trust.scope} without it; a model acting in a run, or a command it started, can write it${weakens}`;
  }
  if (configWeakeningsNeedPerson(trust)) {
    return `${file} weakens Herd, and no person has accepted it for ${trust.scope} (a repository's configuration may tighten Herd, not loosen it, without a person): ${describeConfigWeakenings(trust.weakenings)}`;
  }
  return `${file} is the configuration a person last ran Herd with in ${trust.scope}${weakens}`;
}

/** Where the record of one scope is kept. */
function recordFileOf(scope: string, env: NodeJS.ProcessEnv | undefined): string {
  return join(
    configTrustDirectory(env),
    `${createHash('sha256').update(scope).digest('hex').slice(0, 32)}.json`,
  );
}

/**
 * The record of the nearest folder above `scope` where Herd ran, if any. A scope with no record of its own is not
 * necessarily new to Herd: a run in a subfolder of a workspace that is no repository has a scope of its own, and so
 * does a subfolder a command gave a `.git`; a configuration a model wrote there is judged by the record of the
 * workspace it acted in.
 */
function enclosingRecord(
  scope: string,
  env: NodeJS.ProcessEnv | undefined,
): { scope: string; record: TrustRecord } | undefined {
  for (let directory = dirname(scope); ; directory = dirname(directory)) {
    const record = readRecord(recordFileOf(directory, env));
    if (record) return { scope: directory, record };
    if (dirname(directory) === directory) return undefined;
  }
}

/** The nearest folder holding `.git` at or above the workspace (the repository), else the workspace itself. */
function repositoryScope(workspace: string): string {
  const start = realOrSame(resolve(workspace));
  for (let directory = start; ; ) {
    if (existsSync(join(directory, '.git'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return start;
    directory = parent;
  }
}

function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The record, or `undefined` when there is none; an unreadable record counts as a repository seen with no file. */
function readRecord(recordFile: string): TrustRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { scope: '', files: {} };
  }
  try {
    return TrustRecordSchema.parse(JSON.parse(text));
  } catch {
    return { scope: '', files: {} };
  }
}
