import type { Updateable } from 'kysely';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { fieldEvent } from './fields.events.ts';
import { fieldPolicy } from './fields.policy.ts';
import {
  type FieldOptionRow,
  type FieldRow,
  type FieldWithOptions,
  findField,
  findFieldsByRefs,
  nextFieldPosition,
  optionsByField,
  withOptions,
} from './fields.queries.ts';
import type { FieldInput, FieldRef, OptionInput, SaveOptionInput } from './fields.schema.ts';
import {
  type FieldKind,
  type FieldsTable,
  type FieldType,
  PROFILE_FIELD_TYPES,
  TICKET_FIELD_TYPES,
} from './fields.tables.ts';
import {
  compilePattern,
  hasOptions,
  isBlankValue,
  normalizeFieldValue,
  VALUES_ATTRIBUTE,
  valueTags,
} from './fields.values.ts';

const CUSTOM_TYPES: Record<FieldKind, readonly string[]> = {
  ticket: TICKET_FIELD_TYPES,
  user: PROFILE_FIELD_TYPES,
  organization: PROFILE_FIELD_TYPES,
};

/** System fields every ticket has a value for; only priority and type may be switched off, as at Zendesk. */
const ALWAYS_ACTIVE = new Set<FieldType>(['subject', 'description', 'status', 'group', 'assignee']);

/** Input attributes that map straight onto columns. */
const DIRECT_FIELDS = [
  'title',
  'description',
  'agent_description',
  'position',
  'active',
  'required',
  'collapsed_for_agents',
  'regexp_for_validation',
  'title_in_portal',
  'visible_in_portal',
  'editable_in_portal',
  'required_in_portal',
  'tag',
] as const;

function columnsFrom(input: FieldInput, type: FieldType): Updateable<FieldsTable> {
  const out: Record<string, unknown> = {};
  for (const f of DIRECT_FIELDS) if (input[f] !== undefined) out[f] = input[f];
  if (input.description === null) out.description = '';
  // A pattern means something only to regexp fields and a tag only to checkboxes; other types keep neither.
  if (type !== 'regexp' && 'regexp_for_validation' in out) out.regexp_for_validation = null;
  if (type !== 'checkbox' && 'tag' in out) out.tag = null;
  return out as Updateable<FieldsTable>;
}

async function loadField(db: TenantDb, kind: FieldKind, ref: FieldRef): Promise<FieldRow> {
  const field = await findField(db, kind, ref);
  if (!field) throw notFound();
  return field;
}

function assertPattern(type: FieldType, pattern: string | null | undefined): void {
  if (type !== 'regexp') return;
  if (!pattern) {
    throw invalid('regexp_for_validation', 'Regexp for validation: cannot be blank', 'BlankValue');
  }
  try {
    compilePattern(pattern);
  } catch {
    throw invalid('regexp_for_validation', 'Regexp for validation: is not a valid regular expression');
  }
}

/** `creating`: a drop-down or multi-select must arrive with its options. */
function assertOptions(type: FieldType, options: OptionInput[] | undefined, creating: boolean): void {
  const attribute = 'custom_field_options';
  if (!hasOptions(type)) {
    if (options?.length) {
      throw invalid(attribute, 'Custom field options: only drop-down and multi-select fields have options');
    }
    return;
  }
  if (options === undefined ? creating : options.length === 0) {
    throw invalid(
      attribute,
      'Custom field options: a drop-down or multi-select field needs options',
      'BlankValue',
    );
  }
  const values = new Set<string>();
  for (const o of options ?? []) {
    if (values.has(o.value)) {
      throw invalid(
        attribute,
        `Custom field options: "${o.value}" is the value of more than one option`,
        'DuplicateValue',
      );
    }
    values.add(o.value);
  }
  if ((options ?? []).filter((o) => o.default).length > 1) {
    throw invalid(attribute, 'Custom field options: only one option can be the default');
  }
}

async function assertKeyFree(db: TenantDb, kind: FieldKind, key: string): Promise<void> {
  if (await findField(db, kind, key)) throw invalid('key', 'Key: has already been taken', 'DuplicateValue');
}

async function recordChange(
  ctx: CommandContext,
  db: TenantDb,
  field: FieldRow,
  action: 'created' | 'updated' | 'deleted',
  changes?: string[],
): Promise<void> {
  await appendEvent(db, {
    type: fieldEvent(field.kind, action),
    subjectType: `${field.kind}_field`,
    subjectId: field.id,
    actorId: ctx.actor?.userId ?? null,
    ...(changes ? { payload: { changes } } : {}),
  });
}

/**
 * Makes a field's options exactly `inputs`, in that order (Zendesk's PUT semantics): an input with an id
 * updates that option, one without an id takes over the option with the same value or is created, and
 * options left out are deleted. Returns whether anything changed.
 */
async function replaceOptions(db: TenantDb, field: FieldRow, inputs: OptionInput[]): Promise<boolean> {
  const existing = (await optionsByField(db, [field.id])).get(field.id) ?? [];
  const claimed = new Map<OptionInput, FieldOptionRow>();
  for (const input of inputs) {
    if (input.id === undefined) continue;
    const option = existing.find((o) => o.id === input.id);
    if (!option || [...claimed.values()].includes(option)) {
      throw invalid(
        'custom_field_options',
        `Custom field options: option ${input.id} is not an option of this field`,
      );
    }
    claimed.set(input, option);
  }
  for (const input of inputs) {
    if (input.id !== undefined) continue;
    const option = existing.find((o) => o.value === input.value && ![...claimed.values()].includes(o));
    if (option) claimed.set(input, option);
  }
  const kept = new Set([...claimed.values()].map((o) => o.id));
  const removed = existing.filter((o) => !kept.has(o.id)).map((o) => o.id);
  let changed = removed.length > 0;
  if (removed.length) await db.deleteFrom('field_options').where('id', 'in', removed).execute();
  for (const [position, input] of inputs.entries()) {
    const values = { name: input.name, value: input.value, position, is_default: input.default ?? false };
    const option = claimed.get(input);
    if (!option) {
      await db.insertInto('field_options', { ...values, field_id: field.id }).execute();
      changed = true;
    } else if (
      option.name !== values.name ||
      option.value !== values.value ||
      option.position !== position ||
      option.is_default !== values.is_default
    ) {
      await db
        .updateTable('field_options')
        .set({ ...values, updated_at: new Date() })
        .where('id', '=', option.id)
        .execute();
      changed = true;
    }
  }
  return changed;
}

export async function createField(
  ctx: CommandContext,
  kind: FieldKind,
  input: FieldInput & { type: string; title: string },
): Promise<FieldWithOptions> {
  if (ctx.actor) fieldPolicy.assertCanManage(ctx.actor);
  if (!CUSTOM_TYPES[kind].includes(input.type)) {
    throw invalid('type', `Type: ${input.type} is not a type of custom ${kind} field`);
  }
  const type = input.type as FieldType;
  assertPattern(type, input.regexp_for_validation);
  assertOptions(type, input.custom_field_options, true);
  if (kind !== 'ticket' && !input.key) throw invalid('key', 'Key: cannot be blank', 'BlankValue');
  return ctx.db.transaction(async (db) => {
    if (input.key && kind !== 'ticket') await assertKeyFree(db, kind, input.key);
    const row = await db
      .insertInto('fields', {
        ...columnsFrom(input, type),
        kind,
        type,
        title: input.title,
        key: kind === 'ticket' ? null : input.key!,
        position: input.position ?? (await nextFieldPosition(db, kind)),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (hasOptions(type)) await replaceOptions(db, row, input.custom_field_options ?? []);
    await recordChange(ctx, db, row, 'created');
    return (await withOptions(db, [row]))[0]!;
  });
}

export async function updateField(
  ctx: CommandContext,
  kind: FieldKind,
  ref: FieldRef,
  input: FieldInput,
): Promise<FieldWithOptions> {
  return ctx.db.transaction(async (db) => {
    const field = await loadField(db, kind, ref);
    if (ctx.actor) fieldPolicy.assertCanManage(ctx.actor);
    if (input.type !== undefined && input.type !== field.type) {
      throw invalid(
        'type',
        field.system
          ? `Type: ${field.title} is a system field; its type cannot change`
          : 'Type: cannot change once the field exists',
      );
    }
    if (input.key !== undefined && input.key !== field.key) {
      throw invalid('key', 'Key: cannot change once the field exists (values are stored under it)');
    }
    if (field.system) {
      if (input.custom_field_options?.length) {
        throw invalid(
          'custom_field_options',
          `Custom field options: ${field.title} is a system field with fixed options`,
        );
      }
      if (input.active === false && ALWAYS_ACTIVE.has(field.type)) {
        throw invalid('active', `Active: ${field.title} is a system field that cannot be deactivated`);
      }
    } else {
      assertOptions(field.type, input.custom_field_options, false);
    }
    const pattern = input.regexp_for_validation;
    assertPattern(field.type, pattern === undefined ? field.regexp_for_validation : pattern);

    const changes = columnsFrom(input, field.type);
    const changed = changedKeys(field, changes);
    if (input.custom_field_options && hasOptions(field.type)) {
      if (await replaceOptions(db, field, input.custom_field_options)) changed.push('custom_field_options');
    }
    if (changed.length === 0) return (await withOptions(db, [field]))[0]!;
    const row = await db
      .updateTable('fields')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', field.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(ctx, db, row, 'updated', changed);
    return (await withOptions(db, [row]))[0]!;
  });
}

/** Custom fields are deleted with their options; values already stored are no longer listed or kept on writes. */
export async function deleteField(ctx: CommandContext, kind: FieldKind, ref: FieldRef): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const field = await loadField(db, kind, ref);
    if (ctx.actor) fieldPolicy.assertCanManage(ctx.actor);
    if (field.system) {
      throw invalid('base', `${field.title} is a system field and cannot be deleted`, 'NotRemovable');
    }
    await db.deleteFrom('fields').where('id', '=', field.id).execute();
    await recordChange(ctx, db, field, 'deleted');
  });
}

async function touchOptions(ctx: CommandContext, db: TenantDb, field: FieldRow): Promise<void> {
  await db.updateTable('fields').set({ updated_at: new Date() }).where('id', '=', field.id).execute();
  await recordChange(ctx, db, field, 'updated', ['custom_field_options']);
}

async function optionField(ctx: CommandContext, db: TenantDb, kind: FieldKind, ref: FieldRef) {
  const field = await loadField(db, kind, ref);
  if (ctx.actor) fieldPolicy.assertCanManage(ctx.actor);
  if (!hasOptions(field.type)) {
    throw invalid(
      'custom_field_option',
      `${field.title}: only drop-down and multi-select fields have options`,
    );
  }
  return field;
}

/** `POST …/options`: updates the option named by `id`, or adds one at the end (Zendesk's create-or-update). */
export async function saveFieldOption(
  ctx: CommandContext,
  kind: FieldKind,
  ref: FieldRef,
  input: SaveOptionInput,
): Promise<{ field: FieldRow; option: FieldOptionRow; created: boolean }> {
  return ctx.db.transaction(async (db) => {
    const field = await optionField(ctx, db, kind, ref);
    const existing = (await optionsByField(db, [field.id])).get(field.id) ?? [];
    const current = input.id === undefined ? undefined : existing.find((o) => o.id === input.id);
    if (input.id !== undefined && !current) throw notFound();
    if (!current) {
      if (!input.name) throw invalid('name', 'Name: cannot be blank', 'BlankValue');
      if (!input.value) throw invalid('value', 'Value: cannot be blank', 'BlankValue');
    }
    if (input.value !== undefined && existing.some((o) => o.value === input.value && o.id !== current?.id)) {
      throw invalid(
        'value',
        `Value: "${input.value}" is already the value of another option`,
        'DuplicateValue',
      );
    }
    const values = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.value !== undefined ? { value: input.value } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.default !== undefined ? { is_default: input.default } : {}),
    };
    if (input.default) {
      await db
        .updateTable('field_options')
        .set({ is_default: false })
        .where('field_id', '=', field.id)
        .execute();
    }
    const option = current
      ? await db
          .updateTable('field_options')
          .set({ ...values, updated_at: new Date() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await db
          .insertInto('field_options', {
            position: Math.max(-1, ...existing.map((o) => o.position)) + 1,
            ...values,
            name: input.name!,
            value: input.value!,
            field_id: field.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
    await touchOptions(ctx, db, field);
    return { field, option, created: !current };
  });
}

export async function deleteFieldOption(
  ctx: CommandContext,
  kind: FieldKind,
  ref: FieldRef,
  optionId: number,
): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const field = await optionField(ctx, db, kind, ref);
    const deleted = await db
      .deleteFrom('field_options')
      .where('field_id', '=', field.id)
      .where('id', '=', optionId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw notFound();
    await touchOptions(ctx, db, field);
  });
}

/**
 * Keys in the order jsonb keeps them (shorter first, then bytewise; keys are ASCII), so that comparing the
 * merged values with a stored column does not see a change where there is none.
 */
function inJsonbKeyOrder(values: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(values).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

/**
 * Merges `entries` into `current` (stored values, keyed by `storeKey`), normalising each new value.
 * Values of fields that no longer exist are dropped. Also returns the tags each touched field
 * contributed before and after.
 */
async function mergeFieldValues(
  db: TenantDb,
  kind: FieldKind,
  entries: { ref: FieldRef; value: unknown }[],
  current: Record<string, unknown>,
) {
  const byId = kind === 'ticket';
  const storeKey = (f: FieldRow) => (byId ? String(f.id) : f.key!);
  const currentRefs = Object.keys(current).flatMap((k): FieldRef[] => {
    if (!byId) return [k];
    return /^\d+$/.test(k) ? [Number(k)] : [];
  });
  const fields = await findFieldsByRefs(db, kind, [
    ...new Set([...entries.map((e) => e.ref), ...currentRefs]),
  ]);
  const byRef = new Map<FieldRef, FieldRow>(fields.map((f) => [byId ? f.id : f.key!, f]));

  const values: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.system && current[storeKey(f)] !== undefined) values[storeKey(f)] = current[storeKey(f)];
  }
  const touched = new Set<FieldRow>();
  for (const { ref } of entries) {
    const field = byRef.get(ref);
    if (!field || field.system) {
      const label = { ticket: 'Custom field', user: 'User field', organization: 'Organization field' }[kind];
      throw invalid(VALUES_ATTRIBUTE[kind], `${label} ${ref}: does not exist`);
    }
    touched.add(field);
  }
  const options = await optionsByField(
    db,
    [...touched].filter((f) => hasOptions(f.type)).map((f) => f.id),
  );
  for (const { ref, value } of entries) {
    const field = byRef.get(ref)!;
    const normalized = normalizeFieldValue(field, options.get(field.id) ?? [], value);
    if (normalized === undefined) delete values[storeKey(field)];
    else values[storeKey(field)] = normalized;
  }

  const addTags = new Set<string>();
  const removeTags = new Set<string>();
  for (const field of touched) {
    const before = valueTags(field, current[storeKey(field)]);
    const after = valueTags(field, values[storeKey(field)]);
    for (const t of after) if (!before.includes(t)) addTags.add(t);
    for (const t of before) if (!after.includes(t)) removeTags.add(t);
  }
  for (const t of addTags) removeTags.delete(t);
  return { values: inJsonbKeyOrder(values), addTags: [...addTags], removeTags: [...removeTags] };
}

/**
 * Validates a ticket's `custom_fields` input and merges it into the stored values (keyed by field id).
 * Returns the tags to add and remove so that the ticket's tags mirror its drop-down, multi-select and
 * checkbox fields, as Zendesk does. Unknown fields and wrong-typed values are a 422 on `custom_fields`.
 */
export async function validateTicketFieldValues(
  db: TenantDb,
  input: { id: number; value: unknown }[],
  current: Record<string, unknown>,
): Promise<{ values: Record<string, unknown>; addTags: string[]; removeTags: string[] }> {
  return mergeFieldValues(
    db,
    'ticket',
    input.map((e) => ({ ref: e.id, value: e.value })),
    current,
  );
}

/** Validates `user_fields` (keyed by field key) and returns them merged into the user's current values. */
export async function validateUserFieldValues(
  db: TenantDb,
  input: Record<string, unknown>,
  current: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entries = Object.entries(input).map(([ref, value]) => ({ ref, value }));
  return (await mergeFieldValues(db, 'user', entries, current)).values;
}

/** Validates `organization_fields` (keyed by field key) and returns them merged into the current values. */
export async function validateOrganizationFieldValues(
  db: TenantDb,
  input: Record<string, unknown>,
  current: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entries = Object.entries(input).map(([ref, value]) => ({ ref, value }));
  return (await mergeFieldValues(db, 'organization', entries, current)).values;
}

/** Titles of active required custom ticket fields that `values` (keyed by field id) leaves blank. */
export async function requiredTicketFieldsMissing(
  db: TenantDb,
  values: Record<string, unknown>,
): Promise<string[]> {
  const required = await db
    .selectFrom('fields')
    .selectAll()
    .where('kind', '=', 'ticket')
    .where('active', '=', true)
    .where('system', '=', false)
    .where('required', '=', true)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return required.filter((f) => isBlankValue(f, values[String(f.id)])).map((f) => f.title);
}
