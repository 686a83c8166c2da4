import * as acp from '@agentclientprotocol/sdk';
import {
  connectTestEditor,
  inProcessStreams,
  type TestEditor,
  type TestEditorOptions,
} from './acp-test-editor.js';

/** A bare agent-side connection to a test editor, for driving the editor-backed file system and terminal alone. */
export function connectEditorPeer(options: TestEditorOptions): {
  client: acp.AgentContext;
  editor: TestEditor;
} {
  const streams = inProcessStreams();
  const connection = acp.agent({ name: 'herd-test-agent' }).connect(streams.agent);
  const editor = connectTestEditor(streams.client, options);
  return { client: connection.client, editor };
}
