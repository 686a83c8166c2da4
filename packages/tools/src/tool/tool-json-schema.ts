import { z } from 'zod';

/** A JSON Schema object, as sent to providers and MCP clients. */
export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

/**
 * Converts a tool's zod input schema to JSON Schema (draft 2020-12 keywords, `$schema` removed), describing what
 * a caller may send: defaults make properties optional.
 */
export function toolInputJsonSchema(schema: z.ZodObject): JsonSchemaObject {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  });
  return { ...jsonSchema, type: 'object' };
}
