import type { Updateable } from 'kysely';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { validateOrganizationFieldValues } from '../fields/fields.commands.ts';
import { ORGANIZATION_EVENTS } from './organizations.events.ts';
import { organizationPolicy } from './organizations.policy.ts';
import {
  findOrganization,
  findOrganizationByExternalId,
  findOrganizationByName,
  type OrganizationRow,
} from './organizations.queries.ts';
import type { OrganizationInput } from './organizations.schema.ts';
import type { OrganizationsTable } from './organizations.tables.ts';

type Columns = Updateable<OrganizationsTable>;

/** Input fields that map straight onto columns. */
const DIRECT_FIELDS = [
  'name',
  'details',
  'notes',
  'external_id',
  'domain_names',
  'group_id',
  'shared_tickets',
  'shared_comments',
  'tags',
  'organization_fields',
] as const;

function columnsFrom(input: OrganizationInput): Columns {
  const out: Record<string, unknown> = {};
  for (const f of DIRECT_FIELDS) if (input[f] !== undefined) out[f] = input[f];
  // Tags and domains compare case-insensitively everywhere, so store them once, lower-cased.
  if (input.domain_names) out.domain_names = [...new Set(input.domain_names)];
  return out as Columns;
}

/** Checks that fail with Zendesk's field-level 422 rather than a bare unique-index violation. */
async function assertValid(db: TenantDb, input: OrganizationInput, exceptId: number | null): Promise<void> {
  if (input.name !== undefined) {
    const owner = await findOrganizationByName(db, input.name);
    if (owner && owner.id !== exceptId) {
      throw invalid('name', 'Name: has already been taken', 'DuplicateValue');
    }
  }
  if (input.external_id) {
    const owner = await findOrganizationByExternalId(db, input.external_id);
    if (owner && owner.id !== exceptId) {
      throw invalid('external_id', 'External ID: has already been taken', 'DuplicateValue');
    }
  }
  if (input.group_id) {
    const group = await db
      .selectFrom('groups')
      .select('id')
      .where('id', '=', input.group_id)
      .where('deleted', '=', false)
      .executeTakeFirst();
    if (!group) throw invalid('group_id', 'Group does not exist', 'InvalidValue');
  }
}

export async function createOrganization(
  ctx: CommandContext,
  input: OrganizationInput & { name: string },
): Promise<OrganizationRow> {
  if (ctx.actor) organizationPolicy.assertCanManage(ctx.actor);
  return ctx.db.transaction(async (db) => {
    await assertValid(db, input, null);
    const fields =
      input.organization_fields && (await validateOrganizationFieldValues(db, input.organization_fields, {}));
    const row = await db
      .insertInto('organizations', {
        ...columnsFrom({ ...input, organization_fields: fields }),
        name: input.name,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: ORGANIZATION_EVENTS.created,
      subjectType: 'organization',
      subjectId: row.id,
      actorId: ctx.actor?.userId ?? null,
    });
    return row;
  });
}

export async function updateOrganization(
  ctx: CommandContext,
  id: number,
  input: OrganizationInput,
): Promise<OrganizationRow> {
  return ctx.db.transaction(async (db) => {
    const org = await findOrganization(db, id);
    if (!org) throw notFound();
    if (ctx.actor) organizationPolicy.assertCanManage(ctx.actor);
    await assertValid(db, input, org.id);
    const fields =
      input.organization_fields &&
      (await validateOrganizationFieldValues(db, input.organization_fields, org.organization_fields));
    const changes = columnsFrom({ ...input, organization_fields: fields });
    const changed = changedKeys(org, changes);
    if (changed.length === 0) return org;
    const row = await db
      .updateTable('organizations')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', org.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(db, {
      type: ORGANIZATION_EVENTS.updated,
      subjectType: 'organization',
      subjectId: org.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { changes: changed },
    });
    return row;
  });
}

/** Zendesk's create_or_update: matched by external_id, then by name. */
export async function createOrUpdateOrganization(
  ctx: CommandContext,
  input: OrganizationInput,
): Promise<{ organization: OrganizationRow; created: boolean }> {
  return ctx.db.transaction(async (db) => {
    const existing =
      (input.external_id ? await findOrganizationByExternalId(db, input.external_id) : undefined) ??
      (input.name ? await findOrganizationByName(db, input.name) : undefined);
    const inner = { ...ctx, db };
    if (existing) {
      return { organization: await updateOrganization(inner, existing.id, input), created: false };
    }
    if (!input.name) throw invalid('name', 'Name: cannot be blank', 'BlankValue');
    return { organization: await createOrganization(inner, { ...input, name: input.name }), created: true };
  });
}

/**
 * Hard delete, as Zendesk does. The foreign key would detach the organization's users on its own; doing it
 * here first also bumps their updated_at, so incremental exports and caches see that they changed.
 */
export async function deleteOrganization(ctx: CommandContext, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const org = await findOrganization(db, id);
    if (!org) throw notFound();
    if (ctx.actor) organizationPolicy.assertCanManage(ctx.actor);
    const detached = await db
      .updateTable('users')
      .set({ organization_id: null, updated_at: new Date() })
      .where('organization_id', '=', org.id)
      .executeTakeFirst();
    await db.deleteFrom('organizations').where('id', '=', org.id).execute();
    await appendEvent(db, {
      type: ORGANIZATION_EVENTS.deleted,
      subjectType: 'organization',
      subjectId: org.id,
      actorId: ctx.actor?.userId ?? null,
      payload: { detached_users: Number(detached.numUpdatedRows) },
    });
  });
}
