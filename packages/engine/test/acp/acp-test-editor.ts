import * as acp from '@agentclientprotocol/sdk';

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
  /** Initializes the connection with the given client capabilities. */
  initialize(): Promise<acp.InitializeResponse>;
}

/** Connects a test editor to an ACP stream (in-process streams or a child process's stdio). */
export function connectTestEditor(stream: acp.Stream): TestEditor {
  const received = new Map<string, acp.SessionUpdate[]>();
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
  const connection = app.connect(stream);

  return {
    agent: connection.agent,
    connection,
    permissions,
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
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
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
