import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HerdEvent, SecretRedactor } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard';
import { createEventChannel, type EventChannel } from '../events/event-channel.js';
import { herdDirectoryProblem, prepareHerdDirectory } from './herd-directory.js';
import { runningMarker } from './running-marker.js';

/** A run's event channel, written to `.herd/sessions/<id>/events.ndjson` as it goes. */
export interface RunEventLog {
  readonly channel: EventChannel;
  /** What events are redacted with now. */
  readonly redactor: SecretRedactor;
  /** Redacts every later event with this redactor (the configuration's key variables are known once it loaded). */
  useRedactor(redactor: SecretRedactor): void;
  /** Shows every later event to `observer` as well (the run's usage meter). */
  observe(observer: (event: HerdEvent) => void): void;
  /** Writes nothing more: the run was refused because another holds the workspace, and this session is that one's. */
  refuse(): void;
  /** True once the log (and the running marker) exist. */
  readonly written: boolean;
  /** Ends the stream and removes the running marker this run wrote. */
  finish(): void;
}

/**
 * Creates the event log of one run. The log and the running marker `herd sessions` reads appear with the first
 * event, not before: a workspace that does not exist gets no log, its run's first event is the error saying so.
 */
export function createRunEventLog(options: {
  workspace: string;
  sessionId: string;
  env: NodeJS.ProcessEnv;
}): RunEventLog {
  const { workspace, sessionId } = options;
  const file = join(workspace, '.herd', 'sessions', sessionId, 'events.ndjson');
  let written = false;
  let refused = false;
  let observer: ((event: HerdEvent) => void) | undefined;
  // Secrets come from the run's environment; once the configuration is loaded, its key variables are added.
  let redactor: SecretRedactor = createSecretsRedactor({ env: options.env });
  const channel = createEventChannel({
    runId: sessionId,
    redactor: () => redactor,
    onEvent: (event: HerdEvent) => {
      observer?.(event);
      if (!written && !refused && existsSync(workspace) && herdDirectoryProblem(workspace) === undefined) {
        prepareHerdDirectory(workspace);
        mkdirSync(dirname(file), { recursive: true });
        written = true;
        // Tells `herd sessions` that this run is alive; a run killed with SIGKILL leaves the file behind.
        writeFileSync(runningMarker(workspace, sessionId), String(process.pid));
      }
      if (written) appendFileSync(file, `${JSON.stringify(event)}\n`);
    },
  });
  const log: RunEventLog = {
    channel,
    useRedactor(next) {
      redactor = next;
    },
    observe(next) {
      observer = next;
    },
    refuse() {
      refused = true;
    },
    get written() {
      return written;
    },
    get redactor() {
      return redactor;
    },
    finish() {
      channel.close();
      // Only a run that wrote its marker removes it (a workspace that is a file would fail here and hide the error).
      if (written) rmSync(runningMarker(workspace, sessionId), { force: true });
    },
  };
  return log;
}
