import { z } from 'zod';

/** A JSON Schema object, as sent to providers and MCP clients. */
export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

/**
 * Converts a tool's zod input schema to JSON Schema (draft 2020-12 keywords), describing what a caller may send:
 * a property with a default is optional, and there is no `$schema` and no `±9007199254740991` bound (zod's safe
 * integer range, which `.int()` adds). Grammar-constrained hosts and Llama 4's text-mode tool prompt make the
 * model write what the schema requires, so a required default or a 16-digit bound is something it would invent.
 */
export function toolInputJsonSchema(schema: z.ZodObject): JsonSchemaObject {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  });
  return { ...(withoutSafeIntegerBounds(jsonSchema) as Record<string, unknown>), type: 'object' };
}

function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(
    ([key, bound]) =>
      !(key === 'maximum' && bound === Number.MAX_SAFE_INTEGER) &&
      !(key === 'minimum' && bound === Number.MIN_SAFE_INTEGER),
  );
  return Object.fromEntries(entries.map(([key, inner]) => [key, withoutSafeIntegerBounds(inner)]));
}
