import * as acp from '@agentclientprotocol/sdk';
import type { WorkspaceFileSystem } from '@herd/tools';

/**
 * The editor's buffers as Herd's file system, through `fs/read_text_file` and `fs/write_text_file`: reads see
 * unsaved changes, and edits land in the editor's buffers (whether and when they are saved is the editor's
 * choice). Herd's jail has accepted every path before a request is sent.
 */
export function createEditorFileSystem(options: {
  client: acp.AgentContext;
  sessionId: string;
}): WorkspaceFileSystem {
  const { client, sessionId } = options;
  return {
    description: "the editor's buffers",
    async readTextFile({ absolutePath, signal }) {
      const response = await client.request(
        acp.methods.client.fs.readTextFile,
        { sessionId, path: absolutePath },
        signal ? { cancellationSignal: signal } : {},
      );
      return response.content;
    },
    async writeTextFile({ absolutePath, content, signal }) {
      await client.request(
        acp.methods.client.fs.writeTextFile,
        { sessionId, path: absolutePath, content },
        signal ? { cancellationSignal: signal } : {},
      );
    },
  };
}

/** True when the editor offers both file methods; one without the other would mix buffers and disk in an edit. */
export function offersEditorFileSystem(capabilities: acp.ClientCapabilities | undefined): boolean {
  return capabilities?.fs?.readTextFile === true && capabilities.fs.writeTextFile === true;
}
