import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/auth/authenticate.ts';
import { type CommandContext, changedKeys } from '../../platform/commands.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { appendEvent } from '../../platform/events/outbox.ts';
import { egressUrlProblem } from '../../platform/http/egress.ts';
import { type ErrorDetails, HavenError, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import { WEBHOOK_EVENTS } from './webhooks.events.ts';
import { findWebhook, maybeWebhook, type WebhookRow } from './webhooks.queries.ts';
import type { AuthenticationInput, WebhookInput } from './webhooks.schema.ts';
import type { WebhookAuthType } from './webhooks.tables.ts';

type Ctx = CommandContext & { actor: Actor };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32, so ids sort by creation time. */
export function newUlid(time = Date.now()): string {
  let t = time;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[t % 32] + head;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let tail = '';
  for (const byte of bytes) tail += CROCKFORD[byte & 31];
  return head + tail;
}

export function newSigningSecret(): string {
  return randomBytes(32).toString('base64');
}

/** Failures count towards deactivation only while they keep coming within this window of the first. */
const FAILURE_WINDOW_MS = 24 * 3600_000;

/** The one subscription Haven's webhooks take: calls from triggers and automations. */
export const CONDITIONAL_TICKET_EVENTS = 'conditional_ticket_events';

/** Header names a webhook may not set itself: the transport's, the credentials' and the signature's. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'authorization',
  'proxy-authorization',
  'user-agent',
  'cookie',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_CUSTOM_HEADERS = 5;

function reservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return RESERVED_HEADERS.has(n) || n.startsWith('x-zendesk-') || n.startsWith('x-haven-');
}

/** Collects every problem of a request, then answers one 422 naming each field. */
class Problems {
  readonly details: ErrorDetails = {};
  add(field: string, description: string, error = 'InvalidValue'): void {
    this.details[field] ??= [];
    this.details[field].push({ description: `${field}: ${description}`, error });
  }
  throwIfAny(): void {
    if (Object.keys(this.details).length) throw new HavenError('CS_INVALID', { details: this.details });
  }
}

interface Credentials {
  auth_type: WebhookAuthType | null;
  auth_name: string | null;
  auth_secret: string | null;
}

export interface WebhookFields extends Credentials {
  name: string;
  description: string | null;
  status: 'active' | 'inactive';
  endpoint: string;
  http_method: string;
  request_format: string;
  subscriptions: string[];
  custom_headers: Record<string, string>;
}

const NONE: Credentials = { auth_type: null, auth_name: null, auth_secret: null };

/** `sentAsIs`: the value goes into a header verbatim (not base64-encoded), so it must be Latin-1 text. */
function headerValueProblem(value: string, max: number, sentAsIs = true): string | null {
  if (value.length === 0) return 'cannot be blank';
  if (value.length > max) return `is longer than ${max} characters`;
  if (/[\r\n\0]/.test(value)) return 'cannot contain line breaks';
  if (sentAsIs && /[^\t\x20-\x7e\xa0-\xff]/.test(value)) return 'can only hold Latin-1 text';
  return null;
}

function text(data: Record<string, unknown>, key: string): string | undefined {
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The credentials an `authentication` object asks for. A part left out keeps the stored one when the type does
 * not change, because the API never shows stored secrets and clients cannot send them back.
 */
function resolveCredentials(
  input: AuthenticationInput,
  existing: Credentials | null,
  problems: Problems,
): Credentials {
  const data = input.data ?? {};
  const same = existing?.auth_type === input.type ? existing : null;
  const part = (
    key: string,
    fallback: string | null | undefined,
    label: string,
    max: number,
    sentAsIs = true,
  ) => {
    const value = text(data, key) ?? fallback ?? undefined;
    const field = `authentication.data.${key}`;
    if (value === undefined) problems.add(field, `the ${label} cannot be blank`, 'BlankValue');
    else {
      const problem = headerValueProblem(value, max, sentAsIs);
      if (problem) problems.add(field, `the ${label} ${problem}`);
    }
    return value ?? '';
  };
  switch (input.type) {
    case 'basic_auth': {
      const username = part('username', same?.auth_name, 'user name', 255, false);
      if (username.includes(':')) problems.add('authentication.data.username', 'cannot contain ":"');
      const password = part('password', same?.auth_secret, 'password', 1024, false);
      return { auth_type: 'basic_auth', auth_name: username, auth_secret: password };
    }
    case 'bearer_token':
      return {
        auth_type: 'bearer_token',
        auth_name: null,
        auth_secret: part('token', same?.auth_secret, 'token', 4096),
      };
    case 'api_key': {
      const name = part('name', same?.auth_name, 'header name', 128);
      if (name && !HEADER_NAME.test(name))
        problems.add('authentication.data.name', 'is not a valid header name');
      else if (name && reservedHeader(name))
        problems.add('authentication.data.name', `${name} is set by Haven`);
      const value = part('value', same?.auth_secret, 'key', 4096);
      return { auth_type: 'api_key', auth_name: name, auth_secret: value };
    }
  }
}

function resolveHeaders(
  input: WebhookInput['custom_headers'],
  existing: Record<string, string>,
  mode: 'create' | 'put' | 'patch',
  problems: Problems,
): Record<string, string> {
  if (input === undefined) return existing;
  if (input === null) return {};
  // Header names are case-insensitive: a name given again replaces the stored one whatever its case.
  const headers: Record<string, string> = mode === 'patch' ? { ...existing } : {};
  for (const [name, value] of Object.entries(input)) {
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    if (value === null) continue;
    const field = `custom_headers.${name}`;
    if (!HEADER_NAME.test(name)) problems.add(field, 'is not a valid header name');
    else if (reservedHeader(name))
      problems.add(field, `${name} is set by Haven and cannot be a custom header`);
    const problem = headerValueProblem(value, 1000);
    if (problem) problems.add(field, problem);
    headers[name] = value;
  }
  if (Object.keys(headers).length > MAX_CUSTOM_HEADERS)
    problems.add('custom_headers', `at most ${MAX_CUSTOM_HEADERS} custom headers`, 'TooMany');
  return headers;
}

/**
 * A webhook's fields after applying `input` to `existing` (null on create). Create and PUT need name, endpoint
 * and http_method; PATCH changes only what it names. Only json webhooks that triggers and automations call are
 * supported; other formats and event subscriptions are refused by name.
 */
export function resolveWebhookFields(
  input: WebhookInput,
  existing: WebhookRow | null,
  mode: 'create' | 'put' | 'patch',
): WebhookFields {
  const problems = new Problems();
  const required = <T>(
    field: 'name' | 'endpoint' | 'http_method',
    value: T | undefined,
    stored: T | undefined,
  ) => {
    const v = mode === 'patch' ? (value ?? stored) : value;
    if (v === undefined || v === '') problems.add(field, 'cannot be blank', 'BlankValue');
    return v;
  };
  const name = required('name', input.name, existing?.name) ?? '';
  const endpoint = required('endpoint', input.endpoint, existing?.endpoint) ?? '';
  const httpMethod = required('http_method', input.http_method, existing?.http_method) ?? 'POST';
  if (endpoint) {
    const problem = egressUrlProblem(endpoint);
    if (problem) problems.add('endpoint', problem);
  }
  const requestFormat = input.request_format ?? existing?.request_format ?? 'json';
  if (requestFormat !== 'json')
    problems.add('request_format', `${requestFormat} is not supported; Haven sends json`, 'Unsupported');
  const subscriptions = [
    ...new Set(input.subscriptions ?? existing?.subscriptions ?? [CONDITIONAL_TICKET_EVENTS]),
  ];
  for (const s of subscriptions) {
    if (s !== CONDITIONAL_TICKET_EVENTS)
      problems.add(
        'subscriptions',
        `${s} is not supported; Haven webhooks subscribe to ${CONDITIONAL_TICKET_EVENTS} (triggers and automations)`,
        'Unsupported',
      );
  }
  const stored = existing
    ? { auth_type: existing.auth_type, auth_name: existing.auth_name, auth_secret: existing.auth_secret }
    : NONE;
  const credentials =
    input.authentication === undefined
      ? stored
      : input.authentication === null
        ? NONE
        : resolveCredentials(input.authentication, stored, problems);
  const customHeaders = resolveHeaders(input.custom_headers, existing?.custom_headers ?? {}, mode, problems);
  problems.throwIfAny();
  return {
    name,
    description:
      input.description !== undefined ? input.description || null : (existing?.description ?? null),
    status: input.status ?? existing?.status ?? 'active',
    endpoint,
    http_method: httpMethod,
    request_format: requestFormat,
    subscriptions,
    custom_headers: customHeaders,
    ...credentials,
  };
}

/** API field names for the audit trail: credentials are one field, `authentication`, and never a value. */
function apiFieldNames(columns: string[]): string[] {
  return [...new Set(columns.map((c) => (c.startsWith('auth_') ? 'authentication' : c)))];
}

async function trail(
  db: TenantDb,
  ctx: Ctx | null,
  webhook: WebhookRow,
  action: keyof typeof WEBHOOK_EVENTS,
  description: string,
  fields?: string[],
): Promise<void> {
  const actorId = ctx?.actor.userId ?? null;
  await appendEvent(db, {
    type: WEBHOOK_EVENTS[action],
    subjectType: 'webhook',
    subjectId: null,
    actorId,
    payload: { webhook_id: webhook.id, ...(fields ? { changes: fields } : {}) },
  });
  await recordAudit(db, {
    actorId,
    action: WEBHOOK_EVENTS[action],
    sourceType: 'webhook',
    sourceId: null,
    sourceLabel: webhook.name,
    changeDescription: description,
    ip: ctx?.ip ?? null,
  });
}

export async function createWebhook(ctx: Ctx, input: WebhookInput): Promise<WebhookRow> {
  const fields = resolveWebhookFields(input, null, 'create');
  return ctx.db.transaction(async (db) => {
    const row = await db
      .insertInto('webhooks', {
        id: newUlid(),
        ...fields,
        signing_secret: input.signing_secret?.secret ?? newSigningSecret(),
        created_by_id: ctx.actor.userId,
        updated_by_id: ctx.actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trail(db, ctx, row, 'created', `Webhook ${row.id} created`);
    return row;
  });
}

/** PUT and PATCH. Reactivating an inactive webhook clears its failure streak and the reason it stopped. */
export async function updateWebhook(
  ctx: Ctx,
  id: string,
  input: WebhookInput,
  mode: 'put' | 'patch',
): Promise<WebhookRow> {
  return ctx.db.transaction(async (db) => {
    const existing = await findWebhook(db, id, true);
    const fields = resolveWebhookFields(input, existing, mode);
    // jsonb keeps object keys in its own order, so headers are compared sorted.
    const sorted = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).sort());
    const changed = changedKeys(
      { ...existing, custom_headers: sorted(existing.custom_headers) },
      { ...fields, custom_headers: sorted(fields.custom_headers) },
    );
    if (changed.length === 0) return existing;
    const reactivated = existing.status === 'inactive' && fields.status === 'active';
    const row = await db
      .updateTable('webhooks')
      .set({
        ...fields,
        ...(reactivated
          ? { consecutive_failures: 0, failing_since: null, deactivated_at: null, deactivation_reason: null }
          : {}),
        updated_by_id: ctx.actor.userId,
        updated_at: new Date(),
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const names = apiFieldNames(changed);
    await trail(db, ctx, row, 'updated', `Webhook ${row.id} updated: ${names.join(', ')}`, names);
    return row;
  });
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const row = await db.deleteFrom('webhooks').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound();
    await trail(db, ctx, row, 'deleted', `Webhook ${row.id} deleted`);
  });
}

/** Shows the signing secret to an admin; the viewing is audited, as it hands out a credential. */
export async function revealSigningSecret(ctx: Ctx, id: string): Promise<string> {
  return ctx.db.transaction(async (db) => {
    const row = await findWebhook(db, id);
    await recordAudit(db, {
      actorId: ctx.actor.userId,
      action: 'webhook.signing_secret_viewed',
      sourceType: 'webhook',
      sourceId: null,
      sourceLabel: row.name,
      changeDescription: `Signing secret of webhook ${row.id} viewed`,
      ip: ctx.ip,
    });
    return row.signing_secret;
  });
}

export async function resetSigningSecret(ctx: Ctx, id: string): Promise<string> {
  return ctx.db.transaction(async (db) => {
    const secret = newSigningSecret();
    const row = await db
      .updateTable('webhooks')
      .set({ signing_secret: secret, updated_by_id: ctx.actor.userId, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound();
    await trail(db, ctx, row, 'signingSecretReset', `Signing secret of webhook ${row.id} reset`);
    return secret;
  });
}

/**
 * Counts a failed invocation against the webhook (in the delivery's transaction) and deactivates it once
 * `limit` invocations in a row have failed within a day of the first of them; returns the webhook when this
 * call deactivated it. A delivered invocation resets the count (`resetFailureStreak`).
 */
export async function countFailedInvocation(
  db: TenantDb,
  webhookId: string,
  limit: number,
  lastProblem: string,
): Promise<WebhookRow | null> {
  const now = new Date();
  const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MS);
  const restart = sql<boolean>`(webhooks.failing_since is null or webhooks.failing_since < ${windowStart})`;
  const row = await db
    .updateTable('webhooks')
    .set({
      consecutive_failures: sql<number>`case when ${restart} then 1 else webhooks.consecutive_failures + 1 end`,
      failing_since: sql<Date>`case when ${restart} then ${now}::timestamptz else webhooks.failing_since end`,
    })
    .where('id', '=', webhookId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  if (!row || row.consecutive_failures < limit) return null;
  const reason = `Deactivated after ${row.consecutive_failures} failed invocations in a row; the last: ${lastProblem}`;
  const deactivated = await db
    .updateTable('webhooks')
    .set({
      status: 'inactive',
      deactivated_at: now,
      deactivation_reason: reason.slice(0, 1000),
      updated_at: now,
    })
    .where('id', '=', webhookId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trail(
    db,
    null,
    deactivated,
    'deactivated',
    `Webhook ${webhookId} deactivated after repeated failures`,
  );
  return deactivated;
}

export async function resetFailureStreak(db: TenantDb, webhookId: string): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ consecutive_failures: 0, failing_since: null })
    .where('id', '=', webhookId)
    .where('consecutive_failures', '>', 0)
    .execute();
}

/** What asked for a webhook call: a trigger or an automation (id and title at the time), and its ticket. */
export interface WebhookInvocationSource {
  type: 'trigger' | 'automation';
  id: number | null;
  title: string | null;
  ticketId: number | null;
}

/**
 * Records a pending invocation in the caller's transaction and returns its id, or null when the webhook does not
 * exist or is inactive (nothing is recorded). After commit the caller queues it with `enqueueWebhookDelivery`;
 * if that never happens, the sweeper (webhooks.jobs.ts) queues it within a few minutes.
 */
export async function recordWebhookInvocation(
  db: TenantDb,
  input: { webhookId: string; body: string; source: WebhookInvocationSource },
): Promise<string | null> {
  const webhook = await maybeWebhook(db, input.webhookId);
  if (webhook?.status !== 'active') return null;
  const now = new Date();
  const row = await db
    .insertInto('webhook_invocations', {
      id: newUlid(now.getTime()),
      webhook_id: webhook.id,
      source_type: input.source.type,
      source_id: input.source.id,
      source_title: input.source.title,
      ticket_id: input.source.ticketId,
      payload: input.body,
      next_attempt_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
