import type { Selectable } from 'kysely';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { notFound } from '../../platform/http/errors.ts';
import { cursorPage, type Page } from '../../platform/http/pagination.ts';
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

/** Webhooks page by cursor only, as Zendesk's do (their ids are ULIDs, so the cursors carry text). */
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
  return cursorPage(q, 'webhooks.id', p, { desc: false, idType: 'text' });
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
  return cursorPage(q, 'webhook_invocations.id', p, { desc: true, idType: 'text' });
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
