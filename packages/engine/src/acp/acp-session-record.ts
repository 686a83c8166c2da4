import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { prepareHerdDirectory } from '../herd/herd-directory.js';

/**
 * What `herd acp` remembers of an editor session between processes, in `.herd/acp/<sessionId>.json`. An editor
 * session is a conversation of several prompts; each prompt is one Herd run with its own event log, listed here
 * in order so `session/load` can replay them.
 */
export const AcpSessionRecordSchema = z.object({
  sessionId: z.string().min(1),
  /** The workspace (the editor's `cwd`), absolute. */
  cwd: z.string().min(1),
  /** The session mode: `plan` proposes plans only, `act` plans and carries them out. */
  mode: z.enum(['plan', 'act']),
  /** The first prompt, shortened; shown by `session/list`. */
  title: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /**
   * The Herd runs (Herd sessions) of this conversation, oldest first; `continued` marks a run that carried on
   * from the one before within the same prompt (acting on a plan just proposed), so its task is not a new prompt.
   */
  runs: z
    .array(
      z.object({
        runId: z.string().min(1),
        continued: z.boolean().default(false),
        /** Whether the run had changed files when it ended; absent when it failed or is older than this field. */
        changed: z.boolean().optional(),
      }),
    )
    .default([]),
  /** The plan the session's last run proposed or acted on; `/act` carries it out. */
  lastPlanId: z.string().min(1).optional(),
  /** Runs whose changes `/undo` took back, so the next `/undo` goes further back. */
  undoneRuns: z.array(z.string().min(1)).default([]),
  /** Keys of the questions answered "allow always" in this session. */
  alwaysAllowed: z.array(z.string()).default([]),
});
/** What `herd acp` remembers of an editor session. */
export type AcpSessionRecord = z.infer<typeof AcpSessionRecordSchema>;

function recordDirectory(workspace: string): string {
  return join(workspace, '.herd', 'acp');
}

/** Reads the record of an editor session, or `undefined` when the workspace has none with that id. */
export function readAcpSessionRecord(options: {
  workspace: string;
  sessionId: string;
}): AcpSessionRecord | undefined {
  // Session ids come from the client; only ids Herd could have made are looked up as file names.
  if (!/^[\w-]+$/.test(options.sessionId)) return undefined;
  const file = join(recordDirectory(options.workspace), `${options.sessionId}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = AcpSessionRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the record of an editor session (creating `.herd/`, which ignores itself in git). */
export function writeAcpSessionRecord(record: AcpSessionRecord): void {
  prepareHerdDirectory(record.cwd);
  mkdirSync(recordDirectory(record.cwd), { recursive: true });
  writeFileSync(
    join(recordDirectory(record.cwd), `${record.sessionId}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
}

/** The editor sessions of a workspace, most recently updated first; unreadable records are skipped. */
export function listAcpSessionRecords(options: { workspace: string }): AcpSessionRecord[] {
  const directory = recordDirectory(options.workspace);
  if (!existsSync(directory)) return [];
  const records: AcpSessionRecord[] = [];
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.json')) continue;
    const record = readAcpSessionRecord({ workspace: options.workspace, sessionId: name.slice(0, -5) });
    if (record) records.push(record);
  }
  return records.sort((left, right) => right.updatedAt.localeCompare(left.updatedAt));
}
