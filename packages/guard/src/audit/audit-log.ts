import { appendFileSync, chmodSync, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SystemError } from '@herd/core';
import { type AuditRecord, AuditRecordSchema } from './audit-record.js';

/** An append-only JSONL audit log of guard decisions. */
export interface AuditLog {
  /** The file. */
  path: string;
  /** Appends one record; it is on disk (written through, not buffered) when this returns. */
  append(record: AuditRecord): void;
}

// Excerpts are redacted, but they are still pieces of what was scanned: only the user may read them.
const auditFileMode = 0o600;

/**
 * Opens (creating its folder) an append-only audit log, readable by its owner only (mode 0600; an older log is
 * tightened). Each record is one JSON line written with a single `O_APPEND` write, so concurrent writers never
 * interleave within a line and a crash loses at most the record being written.
 *
 * @example
 * const log = createAuditLog({ path: '.herd/guard/audit.jsonl' });
 */
export function createAuditLog(options: { path: string }): AuditLog {
  const { path } = options;
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (existsSync(path)) chmodSync(path, auditFileMode);
  } catch {
    // A log this user cannot tighten is one it cannot append to either; `append` reports that.
  }
  return {
    path,
    append(record) {
      try {
        appendFileSync(path, `${JSON.stringify(record)}\n`, {
          encoding: 'utf8',
          flag: 'a',
          mode: auditFileMode,
        });
      } catch (cause) {
        throw new SystemError({
          code: 'audit_log_write_failed',
          message: `Cannot append to the guard audit log '${path}'; check that the folder is writable.`,
          cause,
        });
      }
    },
  };
}

/** Options for {@link readAuditLog}. */
export interface ReadAuditLogOptions {
  /** The file. */
  path: string;
  /** Keep only the last this many records. */
  limit?: number;
}

/** What {@link readAuditLog} found. */
export interface AuditLogContents {
  /** Valid records, oldest first. */
  records: AuditRecord[];
  /** Line numbers (1-based) that were not valid records, e.g. a torn last line after a crash. */
  invalidLines: number[];
}

/** Reads an audit log; a missing file is an empty log. */
export async function readAuditLog(options: ReadAuditLogOptions): Promise<AuditLogContents> {
  if (!existsSync(options.path)) return { records: [], invalidLines: [] };
  const lines = (await readFile(options.path, 'utf8')).split('\n');
  const records: AuditRecord[] = [];
  const invalidLines: number[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const parsed = AuditRecordSchema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
      else invalidLines.push(index + 1);
    } catch {
      invalidLines.push(index + 1);
    }
  });
  return { records: options.limit ? records.slice(-options.limit) : records, invalidLines };
}
