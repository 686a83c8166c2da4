import { z } from 'zod';
import { CiReportSchema } from './ci-report.js';

/**
 * The JSON Schema (draft 2020-12) of the `herd ci` report, generated from {@link CiReportSchema}. The published copy
 * is `@herd/engine/schema/ci-report.schema.json`; a test keeps it equal to this.
 */
export function ciReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CiReportSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
}
