// @herd/core/models: the chat model factory. A subpath of its own because it loads the OpenAI client and
// LangChain's OpenAI integration (a few hundred milliseconds), which code that only needs configuration, events or
// errors (the packer, the guard's local scanners, the CLI's fast paths) should not pay for.
export type { CreateChatModelOptions } from './create-chat-model.js';
export { createChatModel, createChatModelChain } from './create-chat-model.js';
export { modelCallErrorText } from './describe-connection-failure.js';
export { plainOutgoingMessages } from './plain-outgoing-messages.js';
export { ServedWindowCompletions } from './served-window-completions.js';
