import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localCacheSecret, type Plan, PlanSchema, type SecretRedactor, UserError } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { z } from 'zod';
import { renderPlanMarkdown } from './render-plan-markdown.js';

/** One saved version of a plan. */
export interface PlanVersion {
  planId: string;
  version: number;
  plan: Plan;
  /** The task the plan is for. */
  task: string;
  /** When this version was saved. */
  createdAt: string;
  /** Who wrote this version. */
  author: 'planner' | 'user';
  /** When it was approved, if it was. */
  approvedAt?: string;
  /** Who approved it: a person, or the policy (CI, automatic approval). */
  approvedBy?: 'user' | 'policy';
}

const PlanVersionSchema = z.object({
  planId: z.string(),
  version: z.number().int().positive(),
  plan: PlanSchema,
  task: z.string(),
  createdAt: z.string(),
  author: z.enum(['planner', 'user']),
  approvedAt: z.string().optional(),
  approvedBy: z.enum(['user', 'policy']).optional(),
  /** The approval's seal (see {@link approvalSeal}); only on disk. */
  approvalSeal: z.string().optional(),
});

/** Saved, versioned, user-editable plans under `.herd/plans/<planId>/`. */
export interface PlanStore {
  /** Saves a new plan (version 1) and returns it. */
  create(options: { task: string; plan: Plan }): Promise<PlanVersion>;
  /** Saves a new version of an existing plan. */
  revise(options: { planId: string; plan: Plan; author: PlanVersion['author'] }): Promise<PlanVersion>;
  /** Marks a version approved, by a person or by the policy. */
  approve(options: { planId: string; version: number; by?: 'user' | 'policy' }): Promise<PlanVersion>;
  /**
   * The plan as it stands: if the user edited `plan.json` since the last saved version, the edit is validated and
   * saved as a new, unapproved version first.
   *
   * @throws {UserError} when the plan does not exist or the edited file is not a valid plan.
   */
  latest(planId: string): Promise<PlanVersion>;
  /** Ids of every saved plan, newest first. */
  list(): Promise<string[]>;
  /** The file a person edits to change the plan. */
  editablePath(planId: string): string;
  /** The readable Markdown rendering of the latest version. */
  markdownPath(planId: string): string;
}

/** Options for {@link createPlanStore}. */
export interface PlanStoreOptions {
  /** The repository whose `.herd/plans` holds the plans. */
  workspace: string;
  /**
   * Takes secrets out of every version before it is written (a plan is model output, and a model may echo a key);
   * default: the product's redactor over `process.env` (`createSecretsRedactor` in `@herd/guard`).
   */
  redactor?: SecretRedactor;
}

/**
 * Creates the plan store of a workspace. Each plan has a folder with one JSON file per version
 * (`v1.json`, `v2.json`, ...), `plan.json` for a person to edit, and `plan.md` to read. Editing `plan.json` and
 * running `herd act` again creates a new version that needs approval. Versions are saved, and returned, with their
 * secrets redacted.
 */
export function createPlanStore(options: PlanStoreOptions): PlanStore {
  const redactor = options.redactor ?? createSecretsRedactor();
  const root = join(options.workspace, '.herd', 'plans');
  const folder = (planId: string) => join(root, safeId(planId));
  const editablePath = (planId: string) => join(folder(planId), 'plan.json');
  const markdownPath = (planId: string) => join(folder(planId), 'plan.md');

  const versions = async (planId: string): Promise<PlanVersion[]> => {
    const directory = folder(planId);
    let names: string[];
    try {
      names = await readdir(directory);
    } catch {
      throw new UserError({
        code: 'plan_not_found',
        message: `There is no plan '${planId}' in ${root}; run \`herd plan "<task>"\` first or pick one from \`herd sessions\`.`,
      });
    }
    const loaded = await Promise.all(
      names.filter((name) => /^v\d+\.json$/.test(name)).map((name) => readVersion(join(directory, name))),
    );
    return loaded.sort((left, right) => left.version - right.version);
  };

  const save = async (unredacted: PlanVersion): Promise<PlanVersion> => {
    const version = redactor.redactValue(unredacted);
    const directory = folder(version.planId);
    await mkdir(directory, { recursive: true });
    await writeAtomically(
      join(directory, `v${version.version}.json`),
      `${JSON.stringify(version, null, 2)}\n`,
    );
    await writeAtomically(editablePath(version.planId), `${JSON.stringify(version.plan, null, 2)}\n`);
    await writeAtomically(markdownPath(version.planId), renderPlanMarkdown(version));
    return version;
  };

  const store: PlanStore = {
    editablePath,
    markdownPath,
    create: ({ task, plan }) =>
      save({
        planId: `plan-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
        version: 1,
        plan,
        task,
        createdAt: new Date().toISOString(),
        author: 'planner',
      }),
    async revise({ planId, plan, author }) {
      const previous = (await versions(planId)).at(-1)!;
      return save({
        planId,
        version: previous.version + 1,
        plan,
        task: previous.task,
        createdAt: new Date().toISOString(),
        author,
      });
    },
    async approve({ planId, version, by }) {
      const found = (await versions(planId)).find((candidate) => candidate.version === version);
      if (!found) {
        throw new UserError({
          code: 'plan_version_not_found',
          message: `Plan '${planId}' has no version ${version}.`,
        });
      }
      const approved = { ...found, approvedAt: new Date().toISOString(), approvedBy: by ?? 'user' };
      await writeAtomically(
        join(folder(planId), `v${version}.json`),
        `${JSON.stringify({ ...approved, approvalSeal: approvalSeal(approved) }, null, 2)}\n`,
      );
      await writeAtomically(markdownPath(planId), renderPlanMarkdown(approved));
      return approved;
    },
    async latest(planId) {
      const all = await versions(planId);
      const last = all.at(-1);
      if (!last) {
        throw new UserError({ code: 'plan_not_found', message: `Plan '${planId}' has no saved version.` });
      }
      let edited: string;
      try {
        edited = await readFile(editablePath(planId), 'utf8');
      } catch {
        return last;
      }
      if (digest(edited) === digest(`${JSON.stringify(last.plan, null, 2)}\n`)) return last;
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(edited);
      } catch (error) {
        throw new UserError({
          code: 'plan_edit_invalid',
          cause: error,
          message: `The edited plan ${editablePath(planId)} is not valid JSON (${(error as Error).message}); fix it or delete it to go back to version ${last.version}.`,
        });
      }
      const parsed = PlanSchema.safeParse(parsedJson);
      if (!parsed.success) {
        throw new UserError({
          code: 'plan_edit_invalid',
          message: `The edited plan ${editablePath(planId)} is not a valid plan:\n${z.prettifyError(parsed.error)}\nFix it, or delete it to go back to version ${last.version}.`,
        });
      }
      if (JSON.stringify(parsed.data) === JSON.stringify(last.plan)) return last;
      return store.revise({ planId, plan: parsed.data, author: 'user' });
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(root);
      } catch {
        return [];
      }
      return names
        .filter((name) => name.startsWith('plan-'))
        .sort()
        .reverse();
    },
  };
  return store;
}

function safeId(planId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(planId) || planId.startsWith('.')) {
    throw new UserError({
      code: 'plan_id_invalid',
      message: `'${planId}' is not a plan id; plan ids look like plan-2026-11-27-1a2b3c4d.`,
    });
  }
  return planId;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/**
 * Seals an approval with the user's own secret (`localCacheSecret`): plans live in the workspace's `.herd`, which a
 * repository can ship, and a plan someone else marked approved (or a file edited to say so) must still be put to
 * the person before Herd acts on it. The seal covers the plan, its task, its place and the approval itself.
 */
function approvalSeal(version: PlanVersion): string {
  const { planId, version: number, task, plan, approvedAt, approvedBy } = version;
  return createHmac('sha256', localCacheSecret())
    .update(canonicalJson([planId, number, task, plan, approvedAt, approvedBy]))
    .digest('hex');
}

/** JSON with object keys sorted, so that equal values give equal text whatever order they were built in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([left], [right]) => (left < right ? -1 : 1)))
      : member,
  );
}

/** A saved version; an approval without a valid seal of this user's is not an approval. */
async function readVersion(path: string): Promise<PlanVersion> {
  try {
    const { approvalSeal: seal, ...version } = PlanVersionSchema.parse(
      JSON.parse(await readFile(path, 'utf8')),
    );
    if (version.approvedAt === undefined && version.approvedBy === undefined) return version;
    if (seal !== undefined && seal === approvalSeal(version)) return version;
    const { approvedAt: _at, approvedBy: _by, ...unapproved } = version;
    return unapproved;
  } catch (error) {
    throw new UserError({
      code: 'plan_version_damaged',
      cause: error,
      message: `The saved plan version ${path} is damaged (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); restore it from version control or delete it.`,
    });
  }
}
