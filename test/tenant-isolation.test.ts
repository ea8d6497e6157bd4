import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createSession } from '../server/modules/access/access.commands.ts';
import { claimUploads } from '../server/modules/attachments/attachments.commands.ts';
import { installationSecret } from '../server/modules/email/email.inbound.ts';
import { unsubscribeToken } from '../server/modules/email/email.unsubscribe.ts';
import { moduleRoutes } from '../server/modules/index.ts';
import {
  offerSatisfaction,
  satisfactionRatingUrl,
} from '../server/modules/satisfaction/satisfaction.commands.ts';
import { recordWebhookInvocation } from '../server/modules/webhooks/webhooks.commands.ts';
import type { RouteSpec } from '../server/platform/http/define-route.ts';
import { type ApiResponse, api, basic, startTestApp, type TestAccount, type TestApp } from './harness.ts';

/**
 * DESIGN.md §4: another account's record is 404, never 403, never its data. This walks every route the
 * modules register (read from `moduleRoutes`, so routes added later are covered without editing this file),
 * fills each path parameter with an id of account A, and calls it as account B's admin on B's host.
 */
const MARK = 'zq7alpha'; // appears in every string A's records hold, so a leak is easy to spot

let app: TestApp;
let a: TestAccount;
let b: TestAccount;
let aHost: string;
let bHost: string;
let oauthToken: string;
/** A's ids by resource (the plural path segment): users, identities, api_tokens, oauth_tokens, audit_logs, … */
const ids = new Map<string, (number | string)[]>();
/** Strings only A's records hold. */
const secrets: string[] = [];

const hasRoute = (method: string, url: string) =>
  moduleRoutes.some((r) => r.method === method && r.url === url);

function remember(resource: string, id: number | string) {
  ids.set(resource, [...(ids.get(resource) ?? []), id]);
}

async function asA(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return api(app, method, path, { auth: a.auth, host: aHost, body });
}

async function asB(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return api(app, method, path, { auth: b.auth, host: bHost, body });
}

async function created(res: ApiResponse, key: string, resource: string): Promise<any> {
  assert.equal(res.status, 201, `creating ${key}: ${res.text}`);
  remember(resource, res.body[key].id);
  return res.body[key];
}

before(async () => {
  app = await startTestApp();
  a = await app.createAccount(`${MARK}a`);
  b = await app.createAccount('bravob');
  aHost = `${a.subdomain}.haven.test`;
  bHost = `${b.subdomain}.haven.test`;
  secrets.push(a.adminEmail, a.token, a.subdomain, `Account ${a.subdomain}`);
  remember('users', a.adminId);

  let organization: any = null;
  if (hasRoute('POST', '/api/v2/organizations')) {
    organization = await created(
      await asA('POST', '/api/v2/organizations', {
        organization: { name: `Org ${MARK}`, external_id: `org-${MARK}` },
      }),
      'organization',
      'organizations',
    );
    secrets.push(`Org ${MARK}`);
  }
  const customer = await created(
    await asA('POST', '/api/v2/users', {
      user: {
        name: `Customer ${MARK}`,
        email: `customer-${MARK}@alpha.example`,
        phone: '+44 20 7946 0958',
        external_id: `ext-${MARK}`,
        ...(organization ? { organization_id: organization.id } : {}),
      },
    }),
    'user',
    'users',
  );
  secrets.push(`Customer ${MARK}`, `customer-${MARK}@alpha.example`, `ext-${MARK}`, '7946');
  const agent = await created(
    await asA('POST', '/api/v2/users', {
      user: { name: `Agent ${MARK}`, email: `agent-${MARK}@alpha.example`, role: 'agent' },
    }),
    'user',
    'users',
  );
  secrets.push(`agent-${MARK}@alpha.example`);
  await created(
    await asA('POST', `/api/v2/users/${customer.id}/identities`, {
      identity: { type: 'email', value: `second-${MARK}@alpha.example` },
    }),
    'identity',
    'identities',
  );
  secrets.push(`second-${MARK}@alpha.example`);
  const identities = await asA('GET', `/api/v2/users/${customer.id}/identities`);
  for (const identity of identities.body.identities) {
    if (!ids.get('identities')!.includes(identity.id)) remember('identities', identity.id);
  }
  const apiToken = await created(
    await asA('POST', '/api/v2/api_tokens', { api_token: { description: `Token ${MARK}` } }),
    'api_token',
    'api_tokens',
  );
  secrets.push(`Token ${MARK}`, apiToken.token);
  const oauth = await asA('POST', '/api/v2/oauth/tokens', {
    token: { scopes: ['read', 'write'], user_id: agent.id },
  });
  await created(oauth, 'token', 'oauth_tokens');
  oauthToken = oauth.body.token.full_token;
  secrets.push(oauthToken);

  if (hasRoute('POST', '/api/v2/groups')) {
    const group = await created(
      await asA('POST', '/api/v2/groups', { group: { name: `Group ${MARK}` } }),
      'group',
      'groups',
    );
    secrets.push(`Group ${MARK}`);
    if (hasRoute('POST', '/api/v2/group_memberships')) {
      await created(
        await asA('POST', '/api/v2/group_memberships', {
          group_membership: { user_id: agent.id, group_id: group.id },
        }),
        'group_membership',
        'group_memberships',
      );
    }
  }
  if (hasRoute('POST', '/api/v2/organization_memberships') && organization) {
    await created(
      await asA('POST', '/api/v2/organization_memberships', {
        organization_membership: { user_id: agent.id, organization_id: organization.id },
      }),
      'organization_membership',
      'organization_memberships',
    );
  }

  for (const kind of ['ticket', 'user', 'organization']) {
    const field = {
      type: 'tagger',
      title: `Field ${MARK}`,
      key: `key_${MARK}`,
      custom_field_options: [{ name: `Option ${MARK}`, value: `opt_${MARK}` }],
    };
    const made = await created(
      await asA('POST', `/api/v2/${kind}_fields`, {
        [`${kind}_field`]: kind === 'ticket' ? field : { ...field, type: 'dropdown' },
      }),
      `${kind}_field`,
      `${kind}_fields`,
    );
    remember('options', made.custom_field_options[0].id);
  }

  if (hasRoute('POST', '/api/v2/uploads')) {
    // A file on a ticket comment (its id and download token) and an upload no comment has used yet (its token).
    const upload = async (name: string) => {
      const res = await api(app, 'POST', `/api/v2/uploads.json?filename=${name}`, {
        auth: a.auth,
        host: aHost,
        rawBody: `File ${MARK}`,
        headers: { 'content-type': 'application/binary' },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.upload;
    };
    const db = app.runtime.services.tenantDb(a.id);
    const ticket = await db
      .insertInto('tickets', { subject: `Ticket ${MARK}`, requester_id: customer.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const comment = await db
      .insertInto('ticket_comments', { ticket_id: ticket.id, author_id: a.adminId, body: `Comment ${MARK}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const attached = await upload(`attached-${MARK}.txt`);
    await claimUploads(db, [attached.token], {
      ticketId: ticket.id,
      commentId: comment.id,
      authorId: a.adminId,
    });
    remember('tickets', ticket.id);
    remember('requests', ticket.id); // a request is a ticket seen by its requester
    remember('comments', comment.id);
    remember('attachments', attached.attachment.id);
    remember('attachment_tokens', new URL(attached.attachment.content_url).pathname.split('/')[3]!);
    remember('uploads', (await upload(`pending-${MARK}.txt`)).token);
  }

  if (hasRoute('POST', '/api/v2/tickets')) {
    // A ticket with a public reply and an internal note, a deleted ticket, its audits and a bulk job.
    const ticket = await created(
      await asA('POST', '/api/v2/tickets', {
        ticket: {
          subject: `Ticket API ${MARK}`,
          comment: { body: `First ${MARK}` },
          requester_id: customer.id,
          tags: [`tag${MARK}`],
        },
      }),
      'ticket',
      'tickets',
    );
    const noted = await asA('PUT', `/api/v2/tickets/${ticket.id}`, {
      ticket: { comment: { body: `Note ${MARK}`, public: false } },
    });
    assert.equal(noted.status, 200, noted.text);
    remember('requests', ticket.id);
    remember('comments', noted.body.audit.events.find((e: any) => e.type === 'Comment').id);
    const audits = await asA('GET', `/api/v2/tickets/${ticket.id}/audits`);
    for (const a of audits.body.audits) remember('audits', a.id);
    remember('ticket_kinds', 'requested');
    const gone = await created(
      await asA('POST', '/api/v2/tickets', {
        ticket: { subject: `Deleted ${MARK}`, comment: { body: MARK } },
      }),
      'ticket',
      'deleted_tickets',
    );
    assert.equal((await asA('DELETE', `/api/v2/tickets/${gone.id}`)).status, 204);
    const job = await asA('POST', '/api/v2/tickets/create_many', {
      tickets: [{ subject: `Bulk ${MARK}`, comment: { body: MARK } }],
    });
    assert.equal(job.status, 200, job.text);
    remember('job_statuses', job.body.job_status.id);
    secrets.push(`Ticket API ${MARK}`, `Note ${MARK}`, job.body.job_status.id);
  }

  if (hasRoute('POST', '/api/v2/views')) {
    const all = [{ field: 'current_tags', operator: 'includes', value: MARK }];
    await created(
      await asA('POST', '/api/v2/views', { view: { title: `View ${MARK}`, all } }),
      'view',
      'views',
    );
  }
  if (hasRoute('POST', '/api/v2/macros')) {
    const actions = [{ field: 'comment_value', value: `Macro ${MARK}` }];
    await created(
      await asA('POST', '/api/v2/macros', { macro: { title: `Macro ${MARK}`, actions } }),
      'macro',
      'macros',
    );
  }
  if (hasRoute('POST', '/api/v2/triggers')) {
    const trigger = {
      title: `Trigger ${MARK}`,
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: MARK }] },
      actions: [{ field: 'current_tags', value: 'seen' }],
    };
    await created(await asA('POST', '/api/v2/triggers', { trigger }), 'trigger', 'triggers');
  }
  if (hasRoute('POST', '/api/v2/webhooks')) {
    // A loopback endpoint: this app does not allow private egress, so nothing is ever sent anywhere.
    const webhook = await created(
      await asA('POST', '/api/v2/webhooks', {
        webhook: {
          name: `Webhook ${MARK}`,
          endpoint: `http://127.0.0.1:9/${MARK}`,
          http_method: 'POST',
          authentication: { type: 'bearer_token', data: { token: `token-${MARK}` } },
        },
      }),
      'webhook',
      'webhooks',
    );
    const invocation = await recordWebhookInvocation(app.runtime.services.tenantDb(a.id), {
      webhookId: webhook.id,
      body: `{"mark":"${MARK}"}`,
      source: { type: 'trigger', id: null, title: `Trigger ${MARK}`, ticketId: null },
    });
    remember('invocations', invocation!);
  }
  if (hasRoute('GET', '/api/v2/suspended_tickets/:id')) {
    // Two stored messages of A: one in the inbound log, one held for review.
    const raw = Buffer.from(`From: probe@customer.example\r\nSubject: Mail ${MARK}\r\n\r\nBody ${MARK}\r\n`);
    for (const [status, resource] of [
      ['processed', 'inbound'],
      ['suspended', 'suspended_tickets'],
    ] as const) {
      const row = await app.runtime.services.database.db
        .insertInto('inbound_emails')
        .values({ account_id: a.id, source: 'http', raw, size: raw.length, status, subject: `Mail ${MARK}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      remember(resource, Number(row.id));
    }
  }
  if (hasRoute('POST', '/api/v2/email/imap_connections')) {
    await created(
      await asA('POST', '/api/v2/email/imap_connections', {
        imap_connection: {
          name: `Mailbox ${MARK}`,
          host: 'imap.alpha.example',
          port: 993,
          username: `user-${MARK}`,
          password: `password-${MARK}`,
        },
      }),
      'imap_connection',
      'imap_connections',
    );
  }
  if (hasRoute('POST', '/api/v2/recipient_addresses')) {
    const address = await created(
      await asA('POST', '/api/v2/recipient_addresses', {
        recipient_address: { email: `help-${MARK}@alpha.example`, name: `Help ${MARK}` },
      }),
      'recipient_address',
      'recipient_addresses',
    );
    // A confirmation link of A's (the mail carrying it is not needed: its digest is what is stored).
    const token = `verify-${MARK}-0123456789abcdef`;
    await app.runtime.services.database.db
      .updateTable('support_addresses')
      .set({ verification_digest: createHash('sha256').update(token).digest('hex') })
      .where('account_id', '=', a.id)
      .where('id', '=', address.id)
      .execute();
    remember('verify', token);
    const secret = await installationSecret(app.runtime.services.database.db);
    remember(
      'unsubscribe',
      unsubscribeToken(secret, {
        accountId: a.id,
        email: `customer-${MARK}@alpha.example`,
        list: 'satisfaction',
      }),
    );
    const delivery = await app.runtime.services.database.db
      .insertInto('outbound_emails')
      .values({
        account_id: a.id,
        kind: 'notification',
        to_address: `customer-${MARK}@alpha.example`,
        from_address: `support@${aHost}`,
        subject: `Mail ${MARK}`,
        message_id: `<haven-probe-${MARK}@${aHost}>`,
        status: 'failed',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    remember('deliveries', Number(delivery.id));
  }
  if (hasRoute('POST', '/api/v2/automations')) {
    const automation = {
      title: `Automation ${MARK}`,
      conditions: {
        all: [
          { field: 'status', operator: 'is', value: 'solved' },
          { field: 'hours_since_solved', operator: 'greater_than', value: '96' },
        ],
      },
      actions: [{ field: 'status', value: 'closed' }],
    };
    await created(await asA('POST', '/api/v2/automations', { automation }), 'automation', 'automations');
  }

  if (hasRoute('GET', '/satisfaction/:token')) {
    // A solved ticket whose rating was offered and given, the link its rating email carried, and the reasons.
    const solved = await asA('POST', '/api/v2/tickets', {
      ticket: { subject: `Rated ${MARK}`, comment: { body: MARK }, requester_id: customer.id },
    });
    assert.equal(solved.status, 201, solved.text);
    const ticketId = solved.body.ticket.id;
    assert.equal(
      (await asA('PUT', `/api/v2/tickets/${ticketId}`, { ticket: { status: 'solved' } })).status,
      200,
    );
    const db = app.runtime.services.tenantDb(a.id);
    await db.transaction((tx) => offerSatisfaction(tx, ticketId));
    const link = await satisfactionRatingUrl(db, ticketId, `http://${aHost}`);
    remember('satisfaction', new URL(link).pathname.split('/')[2]!);
    const rating = await api(app, 'POST', `/api/v2/tickets/${ticketId}/satisfaction_rating`, {
      auth: a.authAs(`customer-${MARK}@alpha.example`),
      host: aHost,
      body: { satisfaction_rating: { score: 'bad', comment: `Rating ${MARK}` } },
    });
    assert.equal(rating.status, 200, rating.text);
    remember('satisfaction_ratings', rating.body.satisfaction_rating.id);
    for (const r of (await asA('GET', '/api/v2/satisfaction_reasons')).body.reasons)
      remember('satisfaction_reasons', r.id);
    secrets.push(`Rated ${MARK}`, `Rating ${MARK}`);
  }

  if (hasRoute('POST', '/api/v2/slas/policies')) {
    // A business-hours schedule with a holiday, and an SLA policy (reached at /slas/policies and /sla_policies).
    const schedule = await created(
      await asA('POST', '/api/v2/business_hours/schedules', {
        schedule: { name: `Schedule ${MARK}`, time_zone: 'Europe/Berlin' },
      }),
      'schedule',
      'schedules',
    );
    await created(
      await asA('POST', `/api/v2/business_hours/schedules/${schedule.id}/holidays`, {
        holiday: { name: `Holiday ${MARK}`, start_date: '2026-12-24' },
      }),
      'holiday',
      'holidays',
    );
    const policy = await created(
      await asA('POST', '/api/v2/slas/policies', {
        sla_policy: {
          title: `Policy ${MARK}`,
          filter: { all: [{ field: 'current_tags', operator: 'includes', value: MARK }], any: [] },
          policy_metrics: [
            { priority: 'high', metric: 'first_reply_time', target: 60, business_hours: true },
          ],
        },
      }),
      'sla_policy',
      'sla_policies',
    );
    remember('policies', policy.id);
    secrets.push(`Schedule ${MARK}`, `Holiday ${MARK}`, `Policy ${MARK}`);
  }

  const audit = await asA('GET', '/api/v2/audit_logs.json?per_page=100');
  assert.equal(audit.status, 200);
  assert.ok(audit.body.audit_logs.length > 0, 'A has audit entries');
  for (const entry of audit.body.audit_logs) remember('audit_logs', entry.id);
});

after(async () => {
  await app?.close();
});

const plural = (singular: string) =>
  singular.endsWith('y') ? `${singular.slice(0, -1)}ies` : `${singular}s`;

/** Which of A's resources a path parameter names, from its name and the segment before it. */
function resourceFor(url: string, param: string): string | null {
  const segments = url.split('/');
  const at = segments.indexOf(`:${param}`);
  const before = segments[at - 1] ?? '';
  const parent = segments[at - 2] ?? '';
  let resource: string | null = null;
  if (param === 'id' && before && !before.startsWith(':')) resource = before;
  else if (param === 'token') resource = before === 'token' ? 'attachment_tokens' : before;
  else if (param.endsWith('_id')) resource = plural(param.slice(0, -3));
  else if (param === 'kind') resource = 'ticket_kinds';
  if (resource === 'tokens' && parent === 'oauth') resource = 'oauth_tokens';
  if (resource === 'memberships') {
    const owner = segments.find((s) => s === 'groups' || s === 'organizations');
    resource = owner === 'organizations' ? 'organization_memberships' : 'group_memberships';
  }
  return resource;
}

function pathParams(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

/** A minimal body that passes the route's schema, so validation cannot answer before the record lookup. */
function sampleFor(schema: any): unknown {
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.default !== undefined) return schema.default;
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (schema[key]) return sampleFor(schema[key].find((s: any) => s.type !== 'null') ?? schema[key][0]);
  }
  if (schema.allOf) return sampleFor(schema.allOf[0]);
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sampleFor(schema.properties?.[key]);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleFor(schema.items));
    case 'string':
      if (schema.format === 'email') return 'probe@bravob.example';
      if (schema.format === 'date-time') return new Date().toISOString();
      return 'p'.repeat(Math.max(schema.minLength ?? 1, 10));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}

function bodyFor(route: RouteSpec): unknown {
  if (!route.body) return undefined;
  return sampleFor(z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }));
}

function assertNoLeak(res: ApiResponse, label: string) {
  for (const secret of secrets)
    assert.ok(!res.text.includes(secret), `${label} leaks ${secret}: ${res.text.slice(0, 300)}`);
  assert.ok(!res.text.includes(MARK), `${label} leaks A's data: ${res.text.slice(0, 300)}`);
  if (res.body && typeof res.body === 'object') assertNoAIds(res.body, label);
}

/** Any list of records under a resource key must hold none of A's ids of that resource. */
function assertNoAIds(body: Record<string, unknown>, label: string) {
  const keyToResource: Record<string, string> = { tokens: 'oauth_tokens', results: 'users' };
  for (const [key, value] of Object.entries(body)) {
    const resource = keyToResource[key] ?? key;
    const mine = ids.get(resource) ?? ids.get(plural(resource));
    const records = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
    if (!mine) continue;
    for (const record of records) {
      if (record && typeof record === 'object' && 'id' in record) {
        assert.ok(
          !mine.includes((record as { id: number }).id),
          `${label} returns A's ${resource} ${(record as any).id}`,
        );
      }
    }
  }
}

describe('every route with path parameters, called by account B with account A ids', () => {
  // The workspace's script and style files are the same for every account: their parameter names no record.
  const sharedFiles = new Set(['/agent/assets/:file']);
  const routes = moduleRoutes.filter((r) => pathParams(r.url).length > 0 && !sharedFiles.has(r.url));

  test('there are routes to walk', () => {
    assert.ok(routes.length >= 10, `found ${routes.length} routes with params`);
  });

  // GETs first, so a broken DELETE cannot hide a leaking GET; every route is its own test.
  const ordered = [...routes].sort((x, y) => Number(x.method !== 'GET') - Number(y.method !== 'GET'));
  for (const route of ordered) {
    test(`${route.method} ${route.url} → 404`, async () => {
      let path = route.url;
      for (const param of pathParams(route.url)) {
        const resource = resourceFor(route.url, param);
        const id = resource ? ids.get(resource)?.at(-1) : undefined;
        assert.ok(
          id !== undefined,
          `no id of account A for :${param} (${resource ?? 'unknown resource'}) in ${route.url}; create one in this test's set-up`,
        );
        path = path.replace(`:${param}`, String(id));
      }
      for (const suffix of ['', '.json']) {
        const res = await asB(route.method, `${path}${suffix}`, bodyFor(route));
        assert.ok(
          res.status === 404 || res.status === 401,
          `${route.method} ${path}${suffix} answered ${res.status}: ${res.text}`,
        );
        assertNoLeak(res, `${route.method} ${path}`);
      }
    });
  }

  test("A's records are all still there, unchanged, after B's attempts", async () => {
    for (const resource of [
      'users',
      'api_tokens',
      'oauth_tokens',
      'organizations',
      'groups',
      'group_memberships',
      'ticket_fields',
      'user_fields',
      'organization_fields',
      'tickets',
      'views',
      'macros',
      'sla_policies',
      'automations',
    ]) {
      const mine = ids.get(resource);
      if (!mine) continue;
      const listPath = resource === 'oauth_tokens' ? '/api/v2/oauth/tokens.json' : `/api/v2/${resource}.json`;
      const key = resource === 'oauth_tokens' ? 'tokens' : resource;
      const res = await asA('GET', `${listPath}?per_page=100`);
      assert.equal(res.status, 200, `${listPath}: ${res.text}`);
      const listed = res.body[key].map((r: any) => r.id);
      for (const id of mine) assert.ok(listed.includes(id), `A's ${resource} ${id} survived`);
    }
    const customer = await asA('GET', `/api/v2/users/${ids.get('users')![1]}.json`);
    assert.equal(customer.body.user.active, true);
    assert.equal(customer.body.user.name, `Customer ${MARK}`);
    const identities = await asA('GET', `/api/v2/users/${ids.get('users')![1]}/identities.json`);
    assert.equal(identities.body.identities.length, ids.get('identities')!.length);
  });
});

describe('collection routes called by account B', () => {
  test('no list, search or count shows any of A’s records', async () => {
    const routes = moduleRoutes.filter(
      (r) => r.method === 'GET' && pathParams(r.url).length === 0 && !r.install,
    );
    assert.ok(routes.length >= 5);
    for (const route of routes) {
      const resource = route.url.split('/')[3] ?? '';
      const query = new URLSearchParams({
        query: `customer-${MARK}@alpha.example`,
        external_id: `ext-${MARK}`,
        name: `Org ${MARK}`.slice(0, 6),
        ids: (ids.get(resource) ?? ids.get('users')!).join(','),
        external_ids: `ext-${MARK},org-${MARK}`,
        include: 'organizations,groups,identities,users',
      });
      for (const path of [
        `${route.url}?${query}`,
        `${route.url}.json?page%5Bsize%5D=100`,
        `${route.url}?query=${MARK}`,
      ]) {
        const res = await asB('GET', path);
        assert.ok(res.status < 500, `${path} answered ${res.status}`);
        assertNoLeak(res, `GET ${path}`);
      }
    }
  });

  test('B cannot link its records to A’s through ids in a body', async () => {
    const attempts: [string, string, unknown][] = [
      ['POST', '/api/v2/oauth/tokens', { token: { scopes: ['read'], user_id: ids.get('users')![1] } }],
    ];
    if (ids.has('organizations')) {
      attempts.push([
        'POST',
        '/api/v2/users',
        { user: { name: 'Probe', organization_id: ids.get('organizations')![0] } },
      ]);
    }
    if (ids.has('groups')) {
      attempts.push([
        'POST',
        '/api/v2/group_memberships',
        { group_membership: { user_id: b.adminId, group_id: ids.get('groups')![0] } },
      ]);
      attempts.push([
        'POST',
        '/api/v2/group_memberships',
        { group_membership: { user_id: ids.get('users')![2], group_id: ids.get('groups')![0] } },
      ]);
      attempts.push([
        'PUT',
        `/api/v2/users/${b.adminId}`,
        { user: { default_group_id: ids.get('groups')![0] } },
      ]);
    }
    if (ids.has('organizations')) {
      attempts.push([
        'PUT',
        `/api/v2/users/${b.adminId}`,
        { user: { organization_id: ids.get('organizations')![0] } },
      ]);
    }
    if (ids.has('sla_policies')) {
      const filter = (field: string, value: number) => ({ all: [{ field, operator: 'is', value }], any: [] });
      for (const [field, resource] of [
        ['group_id', 'groups'],
        ['organization_id', 'organizations'],
        ['requester_id', 'users'],
      ] as const) {
        if (!ids.has(resource)) continue;
        const value = ids.get(resource)![0] as number;
        attempts.push([
          'POST',
          '/api/v2/slas/policies',
          { sla_policy: { title: 'Probe', filter: filter(field, value) } },
        ]);
      }
      attempts.push(['PUT', '/api/v2/slas/policies/reorder', { sla_policy_ids: ids.get('sla_policies') }]);
    }
    for (const [method, path, body] of attempts) {
      const res = await asB(method, path, body);
      assert.ok(
        res.status === 404 || res.status === 422,
        `${method} ${path} ${JSON.stringify(body)} answered ${res.status}: ${res.text}`,
      );
      assertNoLeak(res, `${method} ${path}`);
    }
  });
});

describe('hosts and credentials', () => {
  test("A's credentials on B's host are 401", async () => {
    const credentials = [a.auth, basic(a.adminEmail, a.adminPassword), `Bearer ${oauthToken}`];
    for (const auth of credentials) {
      for (const path of ['/api/v2/users/me.json', '/api/v2/users.json', '/api/v2/account.json']) {
        const res = await api(app, 'GET', path, { auth, host: bHost });
        assert.equal(res.status, 401, `${auth.split(' ')[0]} ${path}: ${res.status} ${res.text}`);
        assertNoLeak(res, path);
      }
    }
    // B's token does not reach A's users by naming their email, and does not work on A's host.
    const named = await api(app, 'GET', '/api/v2/users/me.json', {
      auth: b.authAs(a.adminEmail),
      host: bHost,
    });
    assert.equal(named.status, 401);
    const onA = await api(app, 'GET', '/api/v2/users/me.json', { auth: b.auth, host: aHost });
    assert.equal(onA.status, 401);
    // On the right host, the same credentials work (so the 401s above are about the host).
    for (const auth of credentials) {
      assert.equal((await api(app, 'GET', '/api/v2/users/me.json', { auth, host: aHost })).status, 200);
    }
    // So does a session: A's session cookie names nobody on B's host.
    const session = await createSession(app.runtime.services.tenantDb(a.id), {
      userId: a.adminId,
      userName: 'Admin',
      ip: null,
      userAgent: undefined,
      days: 1,
    });
    const cookie = { cookie: `haven_session=${session.token}` };
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { headers: cookie, host: aHost })).status,
      200,
    );
    const crossSession = await api(app, 'GET', '/api/v2/users/me.json', { headers: cookie, host: bHost });
    assert.equal(crossSession.status, 401);
    assertNoLeak(crossSession, 'session on B');
  });

  test('an unknown subdomain is 404', async () => {
    for (const path of ['/api/v2/users/me.json', '/api/v2/account.json', '/api/v2/users.json']) {
      const res = await api(app, 'GET', path, { host: 'nobody-here.haven.test' });
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'CS_ACCOUNT_NOT_FOUND');
      const withAuth = await api(app, 'GET', path, { host: 'nobody-here.haven.test', auth: a.auth });
      assert.ok(withAuth.status === 404 || withAuth.status === 401, `${path}: ${withAuth.status}`);
      assertNoLeak(withAuth, path);
    }
  });

  test('with two accounts, the bare install host names no account', async () => {
    const res = await api(app, 'GET', '/api/v2/account.json', { auth: a.auth });
    // The token implies its account, so A still sees only A.
    assert.equal(res.status, 200);
    assert.equal(res.body.account.subdomain, a.subdomain);
    const anonymous = await api(app, 'GET', '/api/v2/account.json');
    assert.ok(anonymous.status === 401 || anonymous.status === 404);
  });
});
