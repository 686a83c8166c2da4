import { z } from 'zod';

/** A tool call as a model produced it: arguments as a JSON string or an already-parsed object. */
export const ToolCallSchema = z.object({
  /** The provider's call id, echoed in the result. */
  id: z.string().optional(),
  /** The tool name. */
  name: z.string(),
  /** Arguments: a JSON object string, or an object. */
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** A tool call as a model produced it. */
export type ToolCall = z.infer<typeof ToolCallSchema>;
