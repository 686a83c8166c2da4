import type * as acp from '@agentclientprotocol/sdk';

/**
 * Turns the content blocks of a `session/prompt` into a Herd task. Text is kept as written; a linked or embedded
 * resource is named by its URI so the planner can read it from the workspace (embedded text is not inlined:
 * the agent does not advertise `embeddedContext`, and repository files reach the models only through the
 * packer and the guard). Images and audio are not accepted (not advertised either) and are named as omitted.
 */
export function promptTask(prompt: readonly acp.ContentBlock[]): string {
  const parts: string[] = [];
  for (const block of prompt) {
    if (block.type === 'text') parts.push(block.text);
    else if (block.type === 'resource_link') parts.push(`(see ${block.uri})`);
    else if (block.type === 'resource') parts.push(`(see ${block.resource.uri})`);
    else parts.push(`(an ${block.type} was attached and omitted: Herd reads text only)`);
  }
  return parts.join(' ').trim();
}
