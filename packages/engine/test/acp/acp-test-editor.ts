import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as acp from '@agentclientprotocol/sdk';
import { expect, onTestFinished } from 'vitest';
import { checkAcpSchemaConformance, describeAcpSchemaViolations } from './acp-schema-conformance.js';

/** A permission request the test editor received, with the means to answer it later. */
export interface ReceivedPermission {
  params: acp.RequestPermissionRequest;
  answer(optionId: string | 'cancelled'): void;
}

/** How the test editor answers permission requests: an option id now, or `hold` to answer later by hand. */
export type PermissionPolicy = (params: acp.RequestPermissionRequest) => string | 'cancelled' | 'hold';

/**
 * An editor made with the SDK's client side: it records every `session/update`, answers permission requests by
 * a policy (allow once by default) or holds them for the test to answer, and waits for conditions on both.
 */
export interface TestEditor {
  readonly agent: acp.ClientContext;
  readonly connection: acp.ClientConnection;
  readonly permissions: ReceivedPermission[];
  /** Updates received for a session, in order. */
  updates(sessionId: string): acp.SessionUpdate[];
  /** Sets how permission requests are answered from now on. */
  answerWith(policy: PermissionPolicy): void;
  /** Resolves once the predicate holds (checked after every update and permission request). */
  until(predicate: () => boolean): Promise<void>;
  /** Initializes the connection, offering the file system and the terminal when the editor has them. */
  initialize(): Promise<acp.InitializeResponse>;
  /** Open buffers (absolute path → text, saved or not), when the editor offers its file system. */
  readonly buffers: Map<string, string>;
  /** Every `fs/*` and `terminal/*` request received, in order, as `method path-or-command`. */
  readonly calls: string[];
}

/** What the test editor offers besides sessions and permissions. */
export interface TestEditorOptions {
  /**
   * Offer `fs/read_text_file` and `fs/write_text_file` over open buffers; `save` also writes each write to disk,
   * as editors that save agent edits do.
   */
  fileSystem?: 'buffers' | 'save';
  /** Offer `terminal/*`, running each command as a real child process (in the editor's own environment). */
  terminal?: boolean;
}

interface TestTerminal {
  output: string;
  exit: Promise<acp.TerminalExitStatus>;
  exitStatus: acp.TerminalExitStatus | undefined;
  kill(): void;
}

/**
 * Connects a test editor to an ACP stream (in-process streams or a child process's stdio). Every message the
 * agent sends is checked against the official ACP schema, and the test fails at its end if one breaks it.
 */
export function connectTestEditor(stream: acp.Stream, options: TestEditorOptions = {}): TestEditor {
  const conformance = checkAcpSchemaConformance();
  onTestFinished(() => {
    if (conformance.violations.length === 0) return;
    expect.fail(describeAcpSchemaViolations(conformance.violations));
  });
  const received = new Map<string, acp.SessionUpdate[]>();
  const buffers = new Map<string, string>();
  const calls: string[] = [];
  const terminals = new Map<string, TestTerminal>();
  const permissions: ReceivedPermission[] = [];
  const waiters = new Set<() => void>();
  let policy: PermissionPolicy = () => 'allow_once';
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  const app = acp
    .client({ name: 'herd-test-editor' })
    .onNotification(acp.methods.client.session.update, ({ params }) => {
      const list = received.get(params.sessionId) ?? [];
      list.push(params.update);
      received.set(params.sessionId, list);
      wake();
    })
    .onRequest(acp.methods.client.session.requestPermission, ({ params }) => {
      return new Promise<acp.RequestPermissionResponse>((resolve) => {
        const answer = (optionId: string) =>
          resolve({
            outcome: optionId === 'cancelled' ? { outcome: 'cancelled' } : { outcome: 'selected', optionId },
          });
        permissions.push({ params, answer });
        const decided = policy(params);
        if (decided !== 'hold') answer(decided);
        wake();
      });
    });
  if (options.fileSystem) {
    app
      .onRequest(acp.methods.client.fs.readTextFile, ({ params }) => {
        calls.push(`fs/read_text_file ${params.path}`);
        return { content: buffers.get(params.path) ?? readFileSync(params.path, 'utf8') };
      })
      .onRequest(acp.methods.client.fs.writeTextFile, ({ params }) => {
        calls.push(`fs/write_text_file ${params.path}`);
        buffers.set(params.path, params.content);
        if (options.fileSystem === 'save') writeFileSync(params.path, params.content);
        return {};
      });
  }
  if (options.terminal) {
    const terminal = (terminalId: string): TestTerminal => {
      const found = terminals.get(terminalId);
      if (!found) throw acp.RequestError.invalidParams({ terminalId }, `no terminal ${terminalId}`);
      return found;
    };
    app
      .onRequest(acp.methods.client.terminal.create, ({ params }) => {
        calls.push(`terminal/create ${[params.command, ...(params.args ?? [])].join(' ')}`);
        const child = spawn(params.command, params.args ?? [], {
          cwd: params.cwd ?? undefined,
          env: {
            ...process.env,
            ...Object.fromEntries((params.env ?? []).map((item) => [item.name, item.value])),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const created: TestTerminal = {
          output: '',
          exitStatus: undefined,
          exit: new Promise((resolve) => {
            child.on('close', (exitCode, signal) => {
              created.exitStatus = { exitCode, signal };
              resolve(created.exitStatus);
            });
            child.on('error', () => {
              created.exitStatus = { exitCode: 127, signal: null };
              resolve(created.exitStatus);
            });
          }),
          kill: () => child.kill('SIGKILL'),
        };
        const append = (chunk: Buffer) => {
          created.output += chunk.toString('utf8');
        };
        child.stdout.on('data', append);
        child.stderr.on('data', append);
        const terminalId = `terminal-${terminals.size + 1}`;
        terminals.set(terminalId, created);
        return { terminalId };
      })
      .onRequest(acp.methods.client.terminal.waitForExit, async ({ params }) => {
        calls.push(`terminal/wait_for_exit ${params.terminalId}`);
        return terminal(params.terminalId).exit;
      })
      .onRequest(acp.methods.client.terminal.output, ({ params }) => {
        calls.push(`terminal/output ${params.terminalId}`);
        const { output, exitStatus } = terminal(params.terminalId);
        return { output, truncated: false, ...(exitStatus ? { exitStatus } : {}) };
      })
      .onRequest(acp.methods.client.terminal.kill, ({ params }) => {
        calls.push(`terminal/kill ${params.terminalId}`);
        terminal(params.terminalId).kill();
        return {};
      })
      .onRequest(acp.methods.client.terminal.release, ({ params }) => {
        calls.push(`terminal/release ${params.terminalId}`);
        terminal(params.terminalId).kill();
        terminals.delete(params.terminalId);
        return {};
      });
  }
  const connection = app.connect(conformance.watch(stream));

  return {
    agent: connection.agent,
    connection,
    permissions,
    buffers,
    calls,
    updates: (sessionId) => received.get(sessionId) ?? [],
    answerWith(next) {
      policy = next;
    },
    until(predicate) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const check = () => {
          if (!predicate()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    initialize: () =>
      connection.agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: {
          fs: { readTextFile: Boolean(options.fileSystem), writeTextFile: Boolean(options.fileSystem) },
          terminal: options.terminal === true,
        },
        clientInfo: { name: 'herd-test-editor', version: '0.0.0' },
      }),
  };
}

/** Two in-memory byte pipes, as an agent-side and a client-side ACP stream (real NDJSON on the wire). */
export function inProcessStreams(): { agent: acp.Stream; client: acp.Stream } {
  const toAgent = new TransformStream<Uint8Array, Uint8Array>();
  const toClient = new TransformStream<Uint8Array, Uint8Array>();
  return {
    agent: acp.ndJsonStream(toClient.writable, toAgent.readable),
    client: acp.ndJsonStream(toAgent.writable, toClient.readable),
  };
}

/** The text of every agent message chunk of a session, joined. */
export function agentText(updates: readonly acp.SessionUpdate[]): string {
  return updates
    .map((update) =>
      update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text'
        ? update.content.text
        : '',
    )
    .join('');
}
