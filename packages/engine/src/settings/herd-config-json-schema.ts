import { HerdConfigSchema } from '@herd/core';
import { GuardPolicySchema, guardPolicyPresets } from '@herd/guard';
import { ToolsConfigSchema } from '@herd/tools';
import { z } from 'zod';
import { RunSettingsSchema } from './run-settings.js';

/** Where the published schema lives inside `@herd/engine`, as `herd init` points `$schema` at it. */
export const herdConfigSchemaPath = 'schema/herd-config.schema.json';

const presetNames = Object.keys(guardPolicyPresets) as [string, ...string[]];

/**
 * `herd.config.json` as a whole: the core schema with the sections other packages own filled in by their own
 * schemas, as written (defaults make fields optional).
 */
const HerdConfigFileSchema = HerdConfigSchema.extend({
  /** Settings for `@herd/tools`: jail, command policy, sandbox, fetch_url, checkpoints. */
  tools: ToolsConfigSchema.optional(),
  /** Guard policy: a preset name, a whole policy, or `extends` a preset with some fields changed. */
  policy: z
    .union([
      z.enum(presetNames),
      GuardPolicySchema,
      // Overrides merge into the preset key by key, so any part of a policy may be given here.
      z.object({ extends: z.enum(presetNames) }).catchall(z.unknown()),
    ])
    .optional(),
  /** Settings for runs: limits, test command, prices, fix attempts, sessions. */
  run: RunSettingsSchema.optional(),
});

/**
 * The JSON Schema (draft 2020-12) of `herd.config.json`, generated from the zod schemas of every package, for
 * editors to complete and check the file (`"$schema"` in it points here). The published copy is
 * `@herd/engine/schema/herd-config.schema.json`; a test keeps it equal to this.
 */
export function herdConfigJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(HerdConfigFileSchema, {
      target: 'draft-2020-12',
      io: 'input',
      reused: 'ref',
    }) as Record<string, unknown>),
    title: 'herd.config.json',
    description:
      'Configuration of Herd (Llama 4 Scout plans, Maverick acts, Prompt Guard 2 and Llama Guard 4 check).',
  };
}
