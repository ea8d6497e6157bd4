import type { Selectable, SelectQueryBuilder } from 'kysely';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import type { Page } from '../../platform/http/pagination.ts';
import type { CursorQuery } from './webhooks.schema.ts';
import type {
  InvocationStatus,
  WebhookAttemptsTable,
  WebhookInvocationsTable,
  WebhooksTable,
} from './webhooks.tables.ts';

export type WebhookRow = Selectable<WebhooksTable>;
export type InvocationRow = Selectable<WebhookInvocationsTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export async function maybeWebhook(
  db: TenantDb,
  id: string,
  forUpdate = false,
): Promise<WebhookRow | undefined> {
  let q = db.selectFrom('webhooks').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The account's webhook, or 404 (another account's id is simply unknown). */
export async function findWebhook(db: TenantDb, id: string, forUpdate = false): Promise<WebhookRow> {
  const row = await maybeWebhook(db, id, forUpdate);
  if (!row) throw notFound();
  return row;
}

export async function listWebhooks(
  db: TenantDb,
  filters: { nameContains?: string; status?: 'active' | 'inactive' },
  p: CursorQuery,
): Promise<Page<WebhookRow>> {
  let q = db.selectFrom('webhooks').selectAll();
  if (filters.nameContains) {
    q = q.where(sql<boolean>`strpos(lower(webhooks.name), ${filters.nameContains.toLowerCase()}) > 0`);
  }
  if (filters.status) q = q.where('status', '=', filters.status);
  return pageById(q, 'webhooks.id', p, 'asc');
}

/** A webhook's invocations, newest first. */
export async function listInvocations(
  db: TenantDb,
  webhookId: string,
  filters: { status?: InvocationStatus },
  p: CursorQuery,
): Promise<Page<InvocationRow>> {
  let q = db.selectFrom('webhook_invocations').selectAll().where('webhook_id', '=', webhookId);
  if (filters.status) q = q.where('status', '=', filters.status);
  return pageById(q, 'webhook_invocations.id', p, 'desc');
}

export async function findInvocation(db: TenantDb, webhookId: string, id: string): Promise<InvocationRow> {
  const row = await db
    .selectFrom('webhook_invocations')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function listAttempts(db: TenantDb, invocationId: string): Promise<AttemptRow[]> {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('invocation_id', '=', invocationId)
    .orderBy('attempt')
    .execute();
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ v: id })).toString('base64url');
}

function decodeCursor(cursor: string, field: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed.v === 'string') return parsed.v;
  } catch {}
  throw invalid(field, 'is not a cursor this endpoint issued', 'InvalidCursor');
}

/**
 * Cursor pagination over string (ULID) ids, as Zendesk pages webhooks: `page[size]` (100 by default),
 * `page[after]`, `page[before]`. The shape matches platform/http/pagination.ts, so `listBody` presents it.
 */
async function pageById<O extends { id: string }>(
  query: SelectQueryBuilder<any, any, O>,
  column: string,
  p: CursorQuery,
  order: 'asc' | 'desc',
): Promise<Page<O>> {
  const size = p['page[size]'] ?? 100;
  const desc = order === 'desc';
  const ref = sql.ref(column);
  const before = p['page[before]'] !== undefined;
  let q = query;
  if (p['page[after]'])
    q = q.where(ref as any, desc ? '<' : '>', decodeCursor(p['page[after]'], 'page[after]'));
  else if (before)
    q = q.where(ref as any, desc ? '>' : '<', decodeCursor(p['page[before]']!, 'page[before]'));
  // Walking backwards reads in the opposite order, then flips the page back.
  const forward = before ? !desc : desc;
  const rows = (await q
    .orderBy(ref as any, forward ? 'desc' : 'asc')
    .limit(size + 1)
    .execute()) as O[];
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (before) pageRows.reverse();
  const first = pageRows[0];
  const last = pageRows.at(-1);
  return {
    style: 'cursor',
    rows: pageRows,
    hasMore: before ? true : hasMore,
    afterCursor: last && (before || hasMore) ? encodeCursor(last.id) : null,
    beforeCursor: first && (p['page[after]'] || (before && hasMore)) ? encodeCursor(first.id) : null,
    size,
  };
}
