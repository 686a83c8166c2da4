import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createEditFileTool } from '../../src/files/edit-file-tool.js';
import { createGlobTool } from '../../src/files/glob-tool.js';
import { createListFilesTool } from '../../src/files/list-files-tool.js';
import { createReadFileTool } from '../../src/files/read-file-tool.js';
import { createSearchTool } from '../../src/files/search-tool.js';
import { createWriteFileTool } from '../../src/files/write-file-tool.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';

/** A dispatcher with the file tools over a workspace, as a run would have it. */
export async function fileToolsFor(
  root: string,
  options: { readLimitBytes?: number; searchEngine?: 'walker' | 'ripgrep' } = {},
) {
  const jail = await createWorkspaceJail({ root });
  const registry = createToolRegistry({
    tools: [
      createReadFileTool({ jail, ...(options.readLimitBytes ? { limitBytes: options.readLimitBytes } : {}) }),
      createListFilesTool({ jail }),
      createGlobTool({ jail }),
      createSearchTool({ jail, engine: options.searchEngine ?? 'auto' }),
      createWriteFileTool({ jail }),
      createEditFileTool({ jail }),
    ],
  });
  return { jail, dispatcher: createToolDispatcher({ registry }) };
}
