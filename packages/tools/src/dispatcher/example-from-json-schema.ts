/** Builds a small example value from a JSON Schema, to show a model what valid arguments look like. */
export function exampleFromJsonSchema(schema: unknown, depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 4) return null;
  const node = schema as Record<string, unknown>;
  if ('default' in node) return node.default;
  if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) return exampleFromJsonSchema(options[0], depth + 1);
  }
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
      const example: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(properties)) {
        if (required.has(key)) example[key] = exampleFromJsonSchema(value, depth + 1);
      }
      return example;
    }
    case 'array':
      return [exampleFromJsonSchema(node.items, depth + 1)].filter((item) => item !== null);
    case 'string':
      return typeof node.minLength === 'number' && node.minLength > 5 ? 'x'.repeat(node.minLength) : 'text';
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}
