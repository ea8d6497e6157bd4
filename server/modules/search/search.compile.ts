import type { RawBuilder, SqlBool } from 'kysely';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import type {
  Condition,
  DateField,
  DateRange,
  RecordRef,
  SearchKind,
  Term,
  TextMatch,
} from './search.parser.ts';

/**
 * The parsed query as SQL for one record type: a where-clause over the type's table, and the text terms as
 * one tsquery for its vector, so a single GIN probe answers all of them. Related records named by id,
 * email or name (`assignee:jane@example.com`, `group:Support`) resolve in subqueries of the same statement.
 */

export interface CompileContext {
  db: TenantDb;
  /** Who `me` is. */
  actorId: number;
  /** End-users match the public text of tickets only (never internal notes). */
  publicOnly: boolean;
}

export interface CompiledSearch {
  /** All conditions other than text, ANDed (true when there are none). */
  where: RawBuilder<SqlBool>;
  /** The text terms, or null when the query has none for this type. */
  text: { match: RawBuilder<SqlBool>; rank: RawBuilder<number> } | null;
  /** Tickets only: whether `where` reads ticket_search_documents (the caller joins it). */
  joinsDocument: boolean;
}

/** The text-search configuration of migration 0006; the folding of accents happens in SQL, both sides. */
const toTsquery = (q: string) => sql`to_tsquery('simple', search_fold(${q}))`;

/** Which weight of a type's vector each text scope reads (see migration 0006). */
const WEIGHTS: Record<SearchKind, Partial<Record<string, string>>> = {
  ticket: { all: '', subject: 'A', description: 'B', comment: 'C' },
  user: { all: '', name: 'A' },
  organization: { all: '', name: 'A' },
};

/** One operand of to_tsquery: the text quoted (so no character is an operator), with prefix and weight. */
export function tsqueryOperand(match: TextMatch, weight: string): string {
  const quoted = `'${match.text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  const suffix = `${match.prefix ? '*' : ''}${weight}`;
  return suffix ? `${quoted}:${suffix}` : quoted;
}

/** The text terms of a query as one tsquery string, or null. Positive terms of one `field:` are ORed. */
export function textQuery(terms: Term[], kind: SearchKind): string | null {
  const parts: string[] = [];
  const groups = new Map<string, string[]>();
  for (const t of terms) {
    if (t.condition.field !== 'text') continue;
    const weight = WEIGHTS[kind][t.condition.scope] ?? '';
    const operand = tsqueryOperand(t.condition.match, weight);
    if (t.negated) parts.push(`!${operand}`);
    else if (t.orGroup) groups.set(t.orGroup, [...(groups.get(t.orGroup) ?? []), operand]);
    else parts.push(operand);
  }
  for (const operands of groups.values()) {
    parts.push(operands.length === 1 ? operands[0]! : `( ${operands.join(' | ')} )`);
  }
  return parts.length ? parts.join(' & ') : null;
}

const lit = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql.lit(v)),
    sql`, `,
  );

function inList(column: RawBuilder<unknown>, values: readonly (string | null)[]): RawBuilder<SqlBool> {
  const named = values.filter((v): v is string => v !== null);
  const parts: RawBuilder<SqlBool>[] = [];
  if (named.length) parts.push(sql<SqlBool>`${column} in (${lit(named)})`);
  if (named.length !== values.length) parts.push(sql<SqlBool>`${column} is null`);
  if (parts.length === 0) return sql<SqlBool>`false`;
  return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

function dateCondition(column: RawBuilder<unknown>, range: DateRange): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [];
  if (range.gte) parts.push(sql<SqlBool>`${column} >= ${range.gte}`);
  if (range.gt) parts.push(sql<SqlBool>`${column} > ${range.gt}`);
  if (range.lt) parts.push(sql<SqlBool>`${column} < ${range.lt}`);
  if (range.lte) parts.push(sql<SqlBool>`${column} <= ${range.lte}`);
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

const likePattern = (value: string) =>
  value
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%');

/** A numeric id when the value is one (record ids are positive safe integers). */
function idOf(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Users named by id, any email address, or full name (`*` wildcards in emails and names). */
function usersNamed(db: TenantDb, value: string) {
  const id = idOf(value);
  const wildcard = value.includes('*');
  const lower = value.toLowerCase();
  const email = db
    .selectFrom('user_identities')
    .select('user_identities.user_id')
    .where('user_identities.type', '=', 'email')
    .where(
      wildcard
        ? sql<SqlBool>`lower(user_identities.value) like ${likePattern(value)}`
        : sql<SqlBool>`lower(user_identities.value) = ${lower}`,
    );
  return db
    .selectFrom('users')
    .select('users.id')
    .where((eb) =>
      eb.or([
        ...(id !== null ? [eb('users.id', '=', id)] : []),
        wildcard
          ? sql<SqlBool>`lower(users.name) like ${likePattern(value)}`
          : sql<SqlBool>`lower(users.name) = ${lower}`,
        ...(value.includes('@') ? [eb('users.id', 'in', email)] : []),
      ]),
    );
}

function groupsNamed(db: TenantDb, value: string) {
  const id = idOf(value);
  return db
    .selectFrom('groups')
    .select('groups.id')
    .where((eb) =>
      eb.or([
        ...(id !== null ? [eb('groups.id', '=', id)] : []),
        sql<SqlBool>`lower(groups.name) = ${value.toLowerCase()}`,
      ]),
    );
}

function organizationsNamed(db: TenantDb, value: string) {
  const id = idOf(value);
  return db
    .selectFrom('organizations')
    .select('organizations.id')
    .where((eb) =>
      eb.or([
        ...(id !== null ? [eb('organizations.id', '=', id)] : []),
        value.includes('*')
          ? sql<SqlBool>`lower(organizations.name) like ${likePattern(value)}`
          : sql<SqlBool>`lower(organizations.name) = ${value.toLowerCase()}`,
      ]),
    );
}

function refCondition(
  column: RawBuilder<unknown>,
  ref: RecordRef,
  ctx: CompileContext,
  named: (db: TenantDb, value: string) => unknown,
): RawBuilder<SqlBool> {
  switch (ref.kind) {
    case 'none':
      return sql<SqlBool>`${column} is null`;
    case 'me':
      return sql<SqlBool>`${column} = ${ctx.actorId}`;
    case 'value':
      return sql<SqlBool>`${column} in ${named(ctx.db, ref.value)}`;
  }
}

function tagCondition(column: RawBuilder<unknown>, tag: string, prefix: boolean): RawBuilder<SqlBool> {
  if (!prefix) return sql<SqlBool>`${column} @> array[${tag}]::text[]`;
  return sql<SqlBool>`exists (select 1 from unnest(${column}) as tag where tag like ${`${likePattern(tag)}%`})`;
}

const TICKET_DATES: Record<DateField, string> = {
  created: 'created_at',
  updated: 'updated_at',
  solved: 'solved_at',
  due_date: 'due_at',
};

function ticketCondition(c: Condition, ctx: CompileContext, statusColumn: string): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`tickets.${name}`);
  switch (c.field) {
    case 'status':
      return inList(sql.ref(statusColumn), c.values);
    case 'priority':
      return inList(col('priority'), c.values);
    case 'ticket_type':
      return inList(col('type'), c.values);
    case 'assignee':
    case 'requester':
    case 'submitter':
      return refCondition(col(`${c.field}_id`), c.ref, ctx, usersNamed);
    case 'group':
      return refCondition(col('group_id'), c.ref, ctx, groupsNamed);
    case 'organization':
      return refCondition(col('organization_id'), c.ref, ctx, organizationsNamed);
    case 'tags':
      return tagCondition(col('tags'), c.tag, c.prefix);
    case 'via':
      return sql<SqlBool>`${col('via_channel')} = ${c.channel}`;
    case 'external_id':
      return sql<SqlBool>`${col('external_id')} = ${c.value}`;
    case 'created':
    case 'updated':
    case 'solved':
    case 'due_date':
      return dateCondition(col(TICKET_DATES[c.field]), c.range);
    case 'sla':
      if (c.state === 'none') return sql<SqlBool>`${col('sla_breach_at')} is null`;
      if (c.state === 'active') return sql<SqlBool>`${col('sla_breach_at')} is not null`;
      return sql<SqlBool>`${col('sla_breach_at')} <= ${c.now}`;
    case 'sla_breach':
      return dateCondition(col('sla_breach_at'), c.range);
    case 'custom_field': {
      // Text, number and checkbox values compare as text; multi-select values are arrays that contain it.
      const key = String(c.fieldId);
      return sql<SqlBool>`(lower(${col('custom_fields')} ->> ${key}) = ${c.value.toLowerCase()}
        or ${col('custom_fields')} -> ${key} @> to_jsonb(${c.value}::text))`;
    }
    default:
      throw new Error(`${c.field} is not a ticket condition`);
  }
}

function userCondition(c: Condition, ctx: CompileContext): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`users.${name}`);
  switch (c.field) {
    case 'role':
      return inList(col('role'), c.roles);
    case 'organization':
      return refCondition(col('organization_id'), c.ref, ctx, organizationsNamed);
    case 'tags':
      return tagCondition(col('tags'), c.tag, c.prefix);
    case 'external_id':
      return sql<SqlBool>`${col('external_id')} = ${c.value}`;
    case 'created':
      return dateCondition(col('created_at'), c.range);
    case 'updated':
      return dateCondition(col('updated_at'), c.range);
    case 'email': {
      const match = c.wildcard
        ? sql<SqlBool>`lower(user_identities.value) like ${likePattern(c.value)}`
        : sql<SqlBool>`lower(user_identities.value) = ${c.value}`;
      const owners = ctx.db
        .selectFrom('user_identities')
        .select('user_identities.user_id')
        .where('user_identities.type', '=', 'email')
        .where(match);
      return sql<SqlBool>`${col('id')} in ${owners}`;
    }
    case 'phone': {
      const digits = (value: RawBuilder<unknown>) => sql`regexp_replace(${value}, '[^0-9]', '', 'g')`;
      const pattern = `%${c.digits}%`;
      const owners = ctx.db
        .selectFrom('user_identities')
        .select('user_identities.user_id')
        .where('user_identities.type', '=', 'phone_number')
        .where(sql<SqlBool>`${digits(sql.ref('user_identities.value'))} like ${pattern}`);
      return sql<SqlBool>`(${digits(col('phone'))} like ${pattern} or ${col('id')} in ${owners})`;
    }
    default:
      throw new Error(`${c.field} is not a user condition`);
  }
}

function organizationCondition(c: Condition): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`organizations.${name}`);
  switch (c.field) {
    case 'tags':
      return tagCondition(col('tags'), c.tag, c.prefix);
    case 'external_id':
      return sql<SqlBool>`${col('external_id')} = ${c.value}`;
    case 'created':
      return dateCondition(col('created_at'), c.range);
    case 'updated':
      return dateCondition(col('updated_at'), c.range);
    case 'domain':
      return sql<SqlBool>`${col('domain_names')} @> array[${c.domain}]::text[]`;
    default:
      throw new Error(`${c.field} is not an organization condition`);
  }
}

/** ANDs the terms: positive `field:value` terms of one field are ORed first; negations match null too. */
function combine(terms: Term[], compile: (c: Condition) => RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [];
  const groups = new Map<string, RawBuilder<SqlBool>[]>();
  for (const t of terms) {
    if (t.condition.field === 'text') continue;
    const condition = compile(t.condition);
    if (t.negated) parts.push(sql<SqlBool>`(${condition}) is not true`);
    else if (t.orGroup) groups.set(t.orGroup, [...(groups.get(t.orGroup) ?? []), condition]);
    else parts.push(condition);
  }
  for (const alternatives of groups.values()) {
    parts.push(
      alternatives.length === 1 ? alternatives[0]! : sql<SqlBool>`(${sql.join(alternatives, sql` or `)})`,
    );
  }
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : sql<SqlBool>`true`;
}

function textFor(vector: string, tsquery: string | null): CompiledSearch['text'] {
  if (tsquery === null) return null;
  const ref = sql.ref(vector);
  return {
    match: sql<SqlBool>`${ref} @@ ${toTsquery(tsquery)}`,
    rank: sql<number>`ts_rank(${ref}, ${toTsquery(tsquery)})`,
  };
}

/**
 * Compiles the query for one record type. For tickets with text, the status terms read the copy of status
 * in ticket_search_documents, so the planner can combine its GIN and status indexes (the caller joins it).
 */
export function compileSearch(kind: SearchKind, terms: Term[], ctx: CompileContext): CompiledSearch {
  const tsquery = textQuery(terms, kind);
  switch (kind) {
    case 'ticket': {
      const joinsDocument = tsquery !== null;
      const statusColumn = joinsDocument ? 'ticket_search_documents.status' : 'tickets.status';
      const vector = ctx.publicOnly
        ? 'ticket_search_documents.public_vector'
        : 'ticket_search_documents.vector';
      return {
        where: combine(terms, (c) => ticketCondition(c, ctx, statusColumn)),
        text: textFor(vector, tsquery),
        joinsDocument,
      };
    }
    case 'user':
      return {
        where: combine(terms, (c) => userCondition(c, ctx)),
        text: textFor('users.search_vector', tsquery),
        joinsDocument: false,
      };
    case 'organization':
      return {
        where: combine(terms, organizationCondition),
        text: textFor('organizations.search_vector', tsquery),
        joinsDocument: false,
      };
  }
}
