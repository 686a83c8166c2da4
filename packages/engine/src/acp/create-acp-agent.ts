import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as acp from '@agentclientprotocol/sdk';
import type { LoadedHerdConfig } from '@herd/core';
import { herdVersion } from '../herd-version.js';
import { type AcpSession, createAcpSession } from './acp-session.js';
import {
  type AcpSessionRecord,
  listAcpSessionRecords,
  readAcpSessionRecord,
  writeAcpSessionRecord,
} from './acp-session-record.js';
import { offersEditorFileSystem } from './editor-file-system.js';
import { replaySessionHistory } from './replay-session-history.js';
import { isAcpSessionModeId, sessionModeState } from './session-modes.js';

/** Options for {@link createAcpAgent}. */
export interface CreateAcpAgentOptions {
  /** Where `session/list` looks when the editor names no `cwd`; default the current directory. */
  workspace?: string;
  /** A loaded configuration for every session; default: `herd.config.json` found from each session's `cwd`. */
  config?: LoadedHerdConfig;
  /** Environment for API keys and child processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The mode of a new session; default `act` (which still asks before acting on a plan). */
  defaultMode?: 'plan' | 'act';
}

/** Herd as an ACP agent: the app to connect, and a way to release every session's resources. */
export interface AcpAgent {
  /** The SDK's agent-side app; `app.connect(stream)` serves one editor. */
  readonly app: acp.AgentApp;
  /** Cancels running prompts and closes every session (also done when the connection closes). */
  close(): Promise<void>;
}

/**
 * Creates Herd as an Agent Client Protocol agent: `initialize`, `session/new`, `session/load` (replaying the
 * session's history), `session/resume`, `session/list`, `session/close`, `session/set_mode` (`plan` or `act`),
 * `session/prompt` and `session/cancel`. Each session has its own Herd, so a question waiting in one session
 * never blocks another. Connect `app` to a stream (`acp.ndJsonStream(output, input)`) or, in tests, directly to
 * a client app. Serve one connection per agent, as `herd acp` does: sessions belong to the agent, and closing
 * the connection closes them.
 *
 * When the editor offers `fs.readTextFile` and `fs.writeTextFile`, the file tools read and write its buffers (so
 * reads see unsaved changes and edits land in the editor); when it offers `terminal`, commands run in its
 * terminal, reported as unsandboxed. Herd's jail, deny globs and command policy decide before any such request.
 * Otherwise files change on disk through Herd's tools and commands run in Herd's sandbox.
 *
 * @example
 * ```ts
 * import * as acp from '@agentclientprotocol/sdk';
 * const agent = createAcpAgent();
 * await agent.app.connect(acp.ndJsonStream(output, input)).closed;
 * await agent.close();
 * ```
 */
export function createAcpAgent(options: CreateAcpAgentOptions = {}): AcpAgent {
  const defaultWorkspace = resolve(options.workspace ?? process.cwd());
  const sessions = new Map<string, AcpSession>();
  // One connection per agent, so what its editor offered in `initialize` holds for every session.
  let clientCapabilities: acp.ClientCapabilities | undefined;

  const open = (record: AcpSessionRecord, client: acp.AgentContext): AcpSession => {
    const existing = sessions.get(record.sessionId);
    if (existing) return existing;
    const session = createAcpSession({
      record,
      client,
      ...(options.config ? { config: options.config } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(clientCapabilities ? { clientCapabilities } : {}),
    });
    sessions.set(record.sessionId, session);
    return session;
  };
  const live = (sessionId: string): AcpSession => {
    const session = sessions.get(sessionId);
    if (!session) throw acp.RequestError.sessionNotFound(sessionId);
    return session;
  };
  const stored = (request: { sessionId: string; cwd: string }): AcpSessionRecord => {
    const record = readAcpSessionRecord({ workspace: absolute(request.cwd), sessionId: request.sessionId });
    if (!record) throw acp.RequestError.sessionNotFound(request.sessionId);
    return record;
  };

  const app = acp
    .agent({ name: 'herd' })
    .onConnect((connection) => {
      connection.closed.then(
        () => closeAll(),
        () => closeAll(),
      );
    })
    .onRequest(acp.methods.agent.initialize, ({ params }) => {
      clientCapabilities = params.clientCapabilities;
      return {
        // Herd speaks one version: the editor's if it is that one, and otherwise still that one (the latest
        // Herd supports), as the spec asks; an editor that cannot speak it disconnects.
        protocolVersion: acp.PROTOCOL_VERSION,
        agentInfo: { name: 'herd', title: 'Herd', version: herdVersion },
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { image: false, audio: false, embeddedContext: false },
          mcpCapabilities: { http: false, sse: false },
          sessionCapabilities: { list: {}, resume: {}, close: {} },
          // Said plainly for clients that look: whether edits and commands go through this editor.
          _meta: {
            herd: {
              usesClientFileSystem: offersEditorFileSystem(clientCapabilities),
              usesClientTerminal: clientCapabilities?.terminal === true,
              mcpServers: 'stdio',
            },
          },
        },
        authMethods: [],
      };
    })
    .onRequest(acp.methods.agent.session.new, async ({ params, client }) => {
      const cwd = absolute(params.cwd);
      if (!existsSync(cwd)) {
        throw acp.RequestError.invalidParams(
          { cwd },
          `cwd '${cwd}' does not exist; open a folder that does and start a new session there`,
        );
      }
      const now = new Date().toISOString();
      const record: AcpSessionRecord = {
        sessionId: randomUUID(),
        cwd,
        mode: options.defaultMode ?? 'act',
        createdAt: now,
        updatedAt: now,
        runs: [],
        undoneRuns: [],
        alwaysAllowed: [],
      };
      writeAcpSessionRecord(record);
      const session = open(record, client);
      await session.useMcpServers(params.mcpServers);
      session.announceCommands();
      return { sessionId: record.sessionId, modes: sessionModeState(record.mode) };
    })
    .onRequest(acp.methods.agent.session.load, async ({ params, client }) => {
      const session = open(sessions.get(params.sessionId)?.record ?? stored(params), client);
      await session.useMcpServers(params.mcpServers);
      for (const update of replaySessionHistory(session.record)) {
        await client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update });
      }
      session.announceCommands();
      return { modes: sessionModeState(session.record.mode) };
    })
    .onRequest(acp.methods.agent.session.resume, async ({ params, client }) => {
      const session = open(sessions.get(params.sessionId)?.record ?? stored(params), client);
      await session.useMcpServers(params.mcpServers ?? []);
      session.announceCommands();
      return { modes: sessionModeState(session.record.mode) };
    })
    .onRequest(acp.methods.agent.session.list, ({ params }) => ({
      sessions: listAcpSessionRecords({
        workspace: params.cwd ? absolute(params.cwd) : defaultWorkspace,
      }).map((record) => ({
        sessionId: record.sessionId,
        cwd: record.cwd,
        updatedAt: record.updatedAt,
        ...(record.title ? { title: record.title } : {}),
      })),
    }))
    .onRequest(acp.methods.agent.session.close, async ({ params }) => {
      const session = live(params.sessionId);
      sessions.delete(params.sessionId);
      await session.close();
      return {};
    })
    .onRequest(acp.methods.agent.session.setMode, ({ params }) => {
      if (!isAcpSessionModeId(params.modeId)) {
        throw acp.RequestError.invalidParams(
          { modeId: params.modeId },
          `mode '${params.modeId}' does not exist; use 'plan' or 'act'`,
        );
      }
      live(params.sessionId).setMode(params.modeId);
      return {};
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, signal }) => {
      const session = live(params.sessionId);
      // Idle sessions give back their models and classifier, so many open threads cost one Herd each only
      // while they work.
      await Promise.all(
        [...sessions.values()].filter((other) => other !== session).map((other) => other.release()),
      );
      return { stopReason: await session.prompt(params.prompt, signal) };
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      sessions.get(params.sessionId)?.cancel();
    });
  return { app, close: closeAll };

  async function closeAll(): Promise<void> {
    const closing = [...sessions.values()];
    sessions.clear();
    await Promise.allSettled(closing.map((session) => session.close()));
  }
}

function absolute(path: string): string {
  if (!isAbsolute(path))
    throw acp.RequestError.invalidParams({ cwd: path }, `cwd '${path}' must be an absolute path`);
  return resolve(path);
}
