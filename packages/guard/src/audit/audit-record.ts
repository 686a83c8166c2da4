import { PolicyActionSchema, ScanPointSchema } from '@herd/core';
import { z } from 'zod';
import { GuardModeSchema } from '../policy/guard-policy.js';

/** One guard decision, as written to the audit log (one JSON object per line). */
export const AuditRecordSchema = z.object({
  /** Unique id of the record. */
  id: z.string().min(1),
  /** When the decision was made, ISO 8601. */
  time: z.iso.datetime(),
  /** Scan point. */
  point: ScanPointSchema,
  /** Mode. */
  mode: GuardModeSchema,
  /** Scanner that decided, e.g. `prompt_guard`. */
  scanner: z.string(),
  /** The scanner's score, 0..1, or null when it failed. */
  score: z.number().nullable(),
  /** Categories or rule names that matched; `error:<code>` when the scanner failed. */
  categories: z.array(z.string()),
  /** What the policy did with this scanner's finding. */
  action: PolicyActionSchema,
  /** Time the scanner took (near zero when served from the cache). */
  latencyMs: z.number().nonnegative(),
  /** SHA-256 of the scanned content, hex. */
  contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** A short, secret-free excerpt of the content around the finding. */
  excerpt: z.string(),
  /** Whether the finding came from the cache. */
  cached: z.boolean().optional(),
  /** Where the content came from (a file path, a tool name), when known. */
  source: z.string().optional(),
});

/** One guard decision. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
