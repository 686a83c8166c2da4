import { PlanSchema } from '@herd/core';
import { z } from 'zod';

/** The plan's JSON Schema, as sent to providers (input shape: fields with defaults are optional). */
export const planJsonSchema = z.toJSONSchema(PlanSchema, { io: 'input' }) as Record<string, unknown>;
