import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { HerdEventSchema } from '@herd/core';
import type { AcpSessionRecord } from './acp-session-record.js';
import { createSessionUpdateMapper } from './session-update-mapper.js';

/**
 * The history of an editor session as the updates `session/load` replays: for each of its runs, in order, the
 * events of `.herd/sessions/<run>/events.ndjson` rendered as they were live, with the user's prompts and the
 * questions asked. A run whose log is missing (deleted, or a run that never started) is skipped, and so is a
 * line that is not a valid event (a log cut short by a crash).
 */
export function replaySessionHistory(record: AcpSessionRecord): acp.SessionUpdate[] {
  const updates: acp.SessionUpdate[] = [];
  const mapper = createSessionUpdateMapper({ workspace: record.cwd, live: false });
  for (const run of record.runs) {
    const log = join(record.cwd, '.herd', 'sessions', run.runId, 'events.ndjson');
    if (!existsSync(log)) continue;
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const event = HerdEventSchema.safeParse(value);
      if (!event.success) continue;
      if (event.data.type === 'run-start' && !run.continued) {
        updates.push({
          sessionUpdate: 'user_message_chunk',
          content: { type: 'text', text: event.data.task },
        });
      }
      updates.push(...mapper.map(event.data));
    }
  }
  return updates;
}
