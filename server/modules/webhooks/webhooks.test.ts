import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import zendesk from 'node-zendesk';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { EgressError } from '../../platform/http/egress.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { recordWebhookInvocation } from './webhooks.commands.ts';
import {
  outcomeOf,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
  retryDelayMs,
  TEST_SIGNING_SECRET,
} from './webhooks.delivery.ts';
import { enqueueWebhookDelivery, sweepInvocations, WEBHOOK_PRUNE_JOB, webhookJobs } from './webhooks.jobs.ts';

/** A local receiver: records every request; each path answers from its own script of status codes. */
interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const scripts = new Map<string, number[]>();

function script(path: string, statuses: number[]) {
  scripts.set(path, [...statuses]);
}

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentAuth: string;
const logLines: string[] = [];
/** Every signing secret a test read: none may ever appear in a log line. */
const secretsSeen: string[] = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://receiver');
      received.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const queue = scripts.get(url.pathname);
      const status = queue && queue.length > 1 ? queue.shift()! : (queue?.[0] ?? 200);
      res.writeHead(status, { 'content-type': 'application/json', 'x-receiver': 'local' });
      res.end(JSON.stringify({ received: true, status }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const destination = { write: (chunk: string) => void logLines.push(chunk) };
  app = await startTestApp(
    {
      HAVEN_ALLOW_PRIVATE_EGRESS: 'true',
      HAVEN_WEBHOOK_RETRY_BASE_MS: '10',
      HAVEN_WEBHOOK_FAILURE_LIMIT: '3',
    },
    { logger: createLogger('debug', destination) },
  );
  acct = await app.createAccount();
  other = await app.createAccount();
  await acct.createUser('Agnes Agent', 'agnes@webhooks.test', 'agent');
  agentAuth = acct.authAs('agnes@webhooks.test');
});

after(async () => {
  await app?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

function call(method: string, path: string, body?: unknown, auth = acct.auth) {
  return api(app, method, path, { auth, body });
}

async function newWebhook(fields: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await call('POST', '/api/v2/webhooks', {
    webhook: { name: 'Hook', http_method: 'POST', request_format: 'json', ...fields },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.webhook;
}

async function signingSecret(id: string): Promise<string> {
  const res = await call('GET', `/api/v2/webhooks/${id}/signing_secret`);
  assert.equal(res.status, 200, res.text);
  secretsSeen.push(res.body.signing_secret.secret);
  return res.body.signing_secret.secret;
}

/** Records an invocation as the rules engine does, and queues it. */
async function invoke(
  target: TestApp,
  account: TestAccount,
  webhookId: string,
  body: string,
): Promise<string> {
  const db = target.runtime.services.tenantDb(account.id);
  const id = await recordWebhookInvocation(db, {
    webhookId,
    body,
    source: { type: 'trigger', id: 7, title: 'Tell the CRM', ticketId: null },
  });
  assert.ok(id, 'an invocation was recorded');
  await enqueueWebhookDelivery(target.runtime.services.jobs, account.id, id);
  return id;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function invocationOf(target: TestApp, account: TestAccount, webhookId: string, id: string) {
  const res = await api(target, 'GET', `/api/v2/webhooks/${webhookId}/invocations`, { auth: account.auth });
  assert.equal(res.status, 200, res.text);
  return res.body.invocations.find((i: any) => i.id === id);
}

async function finished(target: TestApp, account: TestAccount, webhookId: string, id: string) {
  return eventually(`invocation ${id} to finish`, async () => {
    const inv = await invocationOf(target, account, webhookId, id);
    return inv && (inv.status === 'delivered' || inv.status === 'failed') ? inv : null;
  });
}

async function attemptsOf(target: TestApp, account: TestAccount, webhookId: string, id: string) {
  const res = await api(target, 'GET', `/api/v2/webhooks/${webhookId}/invocations/${id}/attempts`, {
    auth: account.auth,
  });
  assert.equal(res.status, 200, res.text);
  return res.body.attempts as any[];
}

const sign = (secret: string, timestamp: string, body: string) =>
  createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');

describe('webhooks API', () => {
  test('create answers 201 with a string id and Location; secrets are never shown', async () => {
    const res = await call('POST', '/api/v2/webhooks', {
      webhook: {
        name: 'CRM sync',
        description: 'Tells the CRM',
        endpoint: `${receiverUrl}/crm`,
        http_method: 'post',
        request_format: 'json',
        subscriptions: ['conditional_ticket_events'],
        authentication: {
          type: 'basic_auth',
          data: { username: 'crm-user', password: 'pa55-w0rd-s3cret' },
          add_position: 'header',
        },
        custom_headers: { 'X-Team': 'support' },
      },
    });
    assert.equal(res.status, 201, res.text);
    const w = res.body.webhook;
    assert.match(w.id, /^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID');
    assert.equal(res.headers.get('location'), `${app.baseUrl}/api/v2/webhooks/${w.id}`);
    assert.equal(w.name, 'CRM sync');
    assert.equal(w.description, 'Tells the CRM');
    assert.equal(w.status, 'active');
    assert.equal(w.http_method, 'POST');
    assert.equal(w.request_format, 'json');
    assert.deepEqual(w.subscriptions, ['conditional_ticket_events']);
    assert.deepEqual(w.authentication, { type: 'basic_auth', add_position: 'header' });
    assert.deepEqual(w.custom_headers, { 'X-Team': 'support' });
    assert.match(w.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(w.created_by, String(acct.adminId));
    assert.equal(w.signing_secret, undefined);

    const secret = await signingSecret(w.id);
    assert.ok(secret.length >= 32);
    for (const path of [`/api/v2/webhooks/${w.id}`, '/api/v2/webhooks', '/api/v2/audit_logs']) {
      const shown = await call('GET', path);
      assert.equal(shown.status, 200, shown.text);
      assert.ok(!shown.text.includes('pa55-w0rd-s3cret'), `${path} shows no password`);
      assert.ok(!shown.text.includes(secret), `${path} shows no signing secret`);
    }
    assert.ok(!res.text.includes('pa55-w0rd-s3cret') && !res.text.includes(secret));
    const show = await call('GET', `/api/v2/webhooks/${w.id}.json`);
    assert.deepEqual(show.body.webhook, w, 'the .json suffix works too');
  });

  test('list pages by cursor and filters by name and status', async () => {
    for (const name of ['Alpha relay', 'Beta relay', 'Gamma']) {
      await newWebhook({ name, endpoint: `${receiverUrl}/list` });
    }
    const filtered = await call('GET', '/api/v2/webhooks?filter%5Bname_contains%5D=RELAY');
    assert.equal(filtered.status, 200, filtered.text);
    assert.deepEqual(
      filtered.body.webhooks.map((w: any) => w.name),
      ['Alpha relay', 'Beta relay'],
    );
    assert.equal(filtered.body.links.next, null);

    const seen: string[] = [];
    let next: string | null = '/api/v2/webhooks?page%5Bsize%5D=1';
    while (next) {
      const page = await call('GET', next.replace(app.baseUrl, ''));
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.webhooks.length <= 1);
      seen.push(...page.body.webhooks.map((w: any) => w.id));
      assert.equal(page.body.meta.has_more, page.body.links.next !== null);
      next = page.body.links.next;
    }
    const all = await call('GET', '/api/v2/webhooks');
    assert.deepEqual(
      seen,
      all.body.webhooks.map((w: any) => w.id),
    );
    assert.ok(seen.length >= 4);
    assert.equal(new Set(seen).size, seen.length, 'no webhook twice');

    const bad = await call('GET', '/api/v2/webhooks?page%5Bafter%5D=nonsense');
    assert.equal(bad.status, 422);
    const inactive = await call('GET', '/api/v2/webhooks?filter%5Bstatus%5D=inactive');
    assert.ok(inactive.body.webhooks.every((w: any) => w.status === 'inactive'));
  });

  test('bad input is 422 with Zendesk details per field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ endpoint: 'ftp://example.com/x' }, 'endpoint'],
      [{ endpoint: 'https://user:pw@example.com/x' }, 'endpoint'],
      [{ endpoint: 'not a url' }, 'endpoint'],
      [{ endpoint: `${receiverUrl}/x`, http_method: 'TRACE' }, 'http_method'],
      [{ endpoint: `${receiverUrl}/x`, request_format: 'xml' }, 'request_format'],
      [{ endpoint: `${receiverUrl}/x`, subscriptions: ['zen:event-type:user.created'] }, 'subscriptions'],
      [
        { endpoint: `${receiverUrl}/x`, custom_headers: { Authorization: 'Bearer x' } },
        'custom_headers.Authorization',
      ],
      [
        { endpoint: `${receiverUrl}/x`, custom_headers: { 'X-Zendesk-Webhook-Id': 'x' } },
        'custom_headers.X-Zendesk-Webhook-Id',
      ],
      [
        { endpoint: `${receiverUrl}/x`, custom_headers: { 'X-Ok': 'a\r\nInjected: yes' } },
        'custom_headers.X-Ok',
      ],
      [{ endpoint: `${receiverUrl}/x`, custom_headers: { 'bad header': 'x' } }, 'custom_headers.bad header'],
      [{ endpoint: `${receiverUrl}/x`, custom_headers: { 'X-Cup': 'tea \u2615' } }, 'custom_headers.X-Cup'],
      [
        { endpoint: `${receiverUrl}/x`, authentication: { type: 'basic_auth', data: { username: 'u' } } },
        'authentication.data.password',
      ],
      [{ endpoint: `${receiverUrl}/x`, authentication: { type: 'oauth', data: {} } }, 'authentication.type'],
      [
        {
          endpoint: `${receiverUrl}/x`,
          authentication: { type: 'api_key', data: { name: 'Host', value: 'x' } },
        },
        'authentication.data.name',
      ],
    ];
    for (const [fields, field] of cases) {
      const res = await call('POST', '/api/v2/webhooks', {
        webhook: { name: 'Bad', http_method: 'POST', ...fields },
      });
      assert.equal(res.status, 422, `${JSON.stringify(fields)}: ${res.text}`);
      assert.equal(res.body.error, 'RecordInvalid');
      assert.ok(res.body.details[field], `${JSON.stringify(fields)} names ${field}: ${res.text}`);
    }
    const blank = await call('POST', '/api/v2/webhooks', { webhook: { description: 'nothing else' } });
    assert.equal(blank.status, 422);
    for (const field of ['name', 'endpoint', 'http_method']) {
      assert.equal(blank.body.details[field]?.[0]?.error, 'BlankValue', `${field}: ${blank.text}`);
    }
    const tooMany = await call('POST', '/api/v2/webhooks', {
      webhook: {
        name: 'Many',
        endpoint: `${receiverUrl}/x`,
        http_method: 'POST',
        custom_headers: Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`X-H${n}`, 'v'])),
      },
    });
    assert.equal(tooMany.status, 422);
    assert.ok(tooMany.body.details.custom_headers);
  });

  test('PUT replaces (name, endpoint and method required), PATCH changes what it names; both answer 204', async () => {
    const w = await newWebhook({
      endpoint: `${receiverUrl}/edit`,
      custom_headers: { 'X-One': '1', 'X-Two': '2' },
      authentication: { type: 'bearer_token', data: { token: 'first-token-123' } },
    });
    const incomplete = await call('PUT', `/api/v2/webhooks/${w.id}`, { webhook: { name: 'Renamed' } });
    assert.equal(incomplete.status, 422);
    assert.ok(incomplete.body.details.endpoint && incomplete.body.details.http_method);

    const put = await call('PUT', `/api/v2/webhooks/${w.id}`, {
      webhook: {
        name: 'Renamed',
        endpoint: `${receiverUrl}/edited`,
        http_method: 'PUT',
        authentication: { type: 'bearer_token', add_position: 'header' },
        custom_headers: { 'X-Three': '3' },
      },
    });
    assert.equal(put.status, 204, put.text);
    assert.equal(put.text, '');
    let shown = (await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook;
    assert.equal(shown.name, 'Renamed');
    assert.equal(shown.endpoint, `${receiverUrl}/edited`);
    assert.equal(shown.http_method, 'PUT');
    assert.deepEqual(shown.custom_headers, { 'X-Three': '3' });
    assert.deepEqual(shown.authentication, { type: 'bearer_token', add_position: 'header' });

    const patch = await call('PATCH', `/api/v2/webhooks/${w.id}`, {
      webhook: { description: 'now described', custom_headers: { 'x-three': null, 'X-Four': '4' } },
    });
    assert.equal(patch.status, 204, patch.text);
    shown = (await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook;
    assert.equal(shown.name, 'Renamed');
    assert.equal(shown.description, 'now described');
    assert.deepEqual(shown.custom_headers, { 'X-Four': '4' });

    // The stored token survived both updates: a delivery still carries it.
    await invoke(app, acct, w.id, '{"check":"token"}');
    const got = await eventually('the edited webhook to deliver', async () =>
      received.find((r) => r.path === '/edited' && r.body === '{"check":"token"}'),
    );
    assert.equal(got.method, 'PUT');
    assert.equal(got.headers.authorization, 'Bearer first-token-123');
    assert.equal(got.headers['x-four'], '4');

    const removed = await call('PATCH', `/api/v2/webhooks/${w.id}`, { webhook: { authentication: null } });
    assert.equal(removed.status, 204);
    shown = (await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook;
    assert.equal(shown.authentication, undefined);
    assert.equal(shown.updated_by, String(acct.adminId));
  });

  test('the signing secret can be shown and reset', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/secret` });
    const first = await signingSecret(w.id);
    const reset = await call('POST', `/api/v2/webhooks/${w.id}/signing_secret`);
    assert.equal(reset.status, 201, reset.text);
    assert.equal(reset.body.signing_secret.algorithm, 'SHA256');
    assert.notEqual(reset.body.signing_secret.secret, first);
    assert.equal(await signingSecret(w.id), reset.body.signing_secret.secret);
    const own = await newWebhook({
      endpoint: `${receiverUrl}/secret`,
      signing_secret: { algorithm: 'SHA256', secret: 'my-own-secret-of-some-length' },
    });
    assert.equal(await signingSecret(own.id), 'my-own-secret-of-some-length');
  });

  test('only admins may use webhooks, and other accounts cannot see them', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/private` });
    for (const [method, path] of [
      ['GET', '/api/v2/webhooks'],
      ['GET', `/api/v2/webhooks/${w.id}`],
      ['GET', `/api/v2/webhooks/${w.id}/signing_secret`],
      ['POST', '/api/v2/webhooks/test'],
    ]) {
      const res = await call(
        method!,
        path!,
        method === 'POST' ? { request: { endpoint: receiverUrl } } : undefined,
        agentAuth,
      );
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
    }
    const foreign = await call('GET', `/api/v2/webhooks/${w.id}`, undefined, other.auth);
    assert.equal(foreign.status, 404);
    const list = await call('GET', '/api/v2/webhooks', undefined, other.auth);
    assert.deepEqual(list.body.webhooks, []);
  });

  test('delete removes the webhook; its id is then 404', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/gone` });
    assert.equal((await call('DELETE', `/api/v2/webhooks/${w.id}`)).status, 204);
    assert.equal((await call('GET', `/api/v2/webhooks/${w.id}`)).status, 404);
    assert.equal((await call('DELETE', `/api/v2/webhooks/${w.id}`)).status, 404);
    assert.equal((await call('GET', '/api/v2/webhooks/not-an-id!')).status, 404);
  });
});

describe('delivery', () => {
  test('the receiver gets the JSON body, signed as Zendesk signs, with our own headers too', async () => {
    const w = await newWebhook({
      endpoint: `${receiverUrl}/signed?source=haven`,
      authentication: { type: 'api_key', data: { name: 'X-Api-Key', value: 'k3y-value' } },
      custom_headers: { 'X-Team': 'support' },
    });
    const secret = await signingSecret(w.id);
    const body = JSON.stringify({ ticket: { id: 42, subject: 'Printer on fire' } });
    const invocationId = await invoke(app, acct, w.id, body);
    const got = await eventually('the signed request', async () =>
      received.find((r) => r.path === '/signed?source=haven'),
    );
    assert.equal(got.method, 'POST');
    assert.equal(got.body, body);
    assert.match(String(got.headers['content-type']), /^application\/json/);
    assert.equal(got.headers['user-agent'], 'Haven-Webhooks/1');
    const timestamp = String(got.headers['x-zendesk-webhook-signature-timestamp']);
    assert.match(timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(got.headers['x-zendesk-webhook-signature'], sign(secret, timestamp, body));
    assert.notEqual(got.headers['x-zendesk-webhook-signature'], sign('wrong', timestamp, body));
    assert.equal(got.headers['x-haven-webhook-signature'], got.headers['x-zendesk-webhook-signature']);
    assert.equal(got.headers['x-haven-webhook-signature-timestamp'], timestamp);
    assert.equal(got.headers['x-haven-webhook-id'], w.id);
    assert.equal(got.headers['x-zendesk-webhook-id'], w.id);
    assert.equal(got.headers['x-haven-webhook-invocation-id'], invocationId);
    assert.equal(got.headers['x-zendesk-webhook-invocation-id'], invocationId);
    assert.equal(got.headers['x-zendesk-account-id'], String(acct.id));
    assert.equal(got.headers['x-api-key'], 'k3y-value');
    assert.equal(got.headers['x-team'], 'support');

    const inv = await finished(app, acct, w.id, invocationId);
    assert.equal(inv.status, 'delivered');
    assert.equal(inv.status_code, 200);
    assert.equal(inv.attempts_count, 1);
    assert.deepEqual(inv.source, { type: 'trigger', id: 7, title: 'Tell the CRM', ticket_id: null });
    const attempts = await attemptsOf(app, acct, w.id, invocationId);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0].status, 'success');
    assert.equal(attempts[0].status_code, 200);
    assert.equal(typeof attempts[0].duration, 'number');
    assert.equal(attempts[0].response.body, '{"received":true,"status":200}');
  });

  test('a trigger’s webhook action delivers the rendered body for a new ticket', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/from-trigger` });
    const secret = await signingSecret(w.id);
    const trigger = await call('POST', '/api/v2/triggers', {
      trigger: {
        title: 'Tell the CRM about urgent tickets',
        conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'crm' }] },
        actions: [
          {
            field: 'notification_webhook',
            value: [w.id, '{"ticket_id":"{{ticket.id}}","subject":"{{ticket.title}}"}'],
          },
        ],
      },
    });
    assert.equal(trigger.status, 201, trigger.text);
    const ticket = await call('POST', '/api/v2/tickets', {
      ticket: { subject: 'Printer on fire', comment: { body: 'Help' }, tags: ['crm'] },
    });
    assert.equal(ticket.status, 201, ticket.text);
    const id = ticket.body.ticket.id;
    const got = await eventually('the trigger’s request', async () =>
      received.find((r) => r.path === '/from-trigger'),
    );
    assert.deepEqual(JSON.parse(got.body), { ticket_id: String(id), subject: 'Printer on fire' });
    const ts = String(got.headers['x-zendesk-webhook-signature-timestamp']);
    assert.equal(got.headers['x-zendesk-webhook-signature'], sign(secret, ts, got.body));
    const invocations = (await call('GET', `/api/v2/webhooks/${w.id}/invocations`)).body.invocations;
    assert.equal(invocations.length, 1);
    assert.equal(invocations[0].source.type, 'trigger');
    assert.equal(invocations[0].source.id, trigger.body.trigger.id);
    assert.equal(invocations[0].source.title, 'Tell the CRM about urgent tickets');
    assert.equal(invocations[0].source.ticket_id, id);
  });

  test('a 500 is retried with backoff, and both attempts are in the log', async () => {
    script('/flaky', [500, 200]);
    const w = await newWebhook({ endpoint: `${receiverUrl}/flaky` });
    const invocationId = await invoke(app, acct, w.id, '{"try":"again"}');
    const inv = await finished(app, acct, w.id, invocationId);
    assert.equal(inv.status, 'delivered');
    assert.equal(inv.attempts_count, 2);
    const attempts = await attemptsOf(app, acct, w.id, invocationId);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status, a.status_code]),
      [
        [1, 'failed', 500],
        [2, 'success', 200],
      ],
    );
    const requests = received.filter((r) => r.path === '/flaky');
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests.map((r) => r.headers['x-haven-webhook-attempt']),
      ['1', '2'],
    );
    // Each attempt is signed afresh, and both carry the same invocation id.
    assert.equal(
      requests[0]!.headers['x-haven-webhook-invocation-id'],
      requests[1]!.headers['x-haven-webhook-invocation-id'],
    );
  });

  test('a 4xx fails at once; repeated failures deactivate the webhook until an admin reactivates it', async () => {
    script('/broken', [404]);
    const w = await newWebhook({ endpoint: `${receiverUrl}/broken` });
    for (let i = 1; i <= 3; i++) {
      const id = await invoke(app, acct, w.id, `{"n":${i}}`);
      const inv = await finished(app, acct, w.id, id);
      assert.equal(inv.status, 'failed');
      assert.equal(inv.attempts_count, 1, 'a 404 is not retried');
      assert.equal(inv.status_code, 404);
    }
    const shown = (await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook;
    assert.equal(shown.status, 'inactive');
    assert.match(shown.deactivation_reason, /3 failed invocations in a row/);
    assert.match(shown.deactivation_reason, /HTTP 404/);
    assert.ok(shown.deactivated_at);
    const db = app.runtime.services.tenantDb(acct.id);
    const none = await recordWebhookInvocation(db, {
      webhookId: w.id,
      body: '{}',
      source: { type: 'trigger', id: 1, title: 't', ticketId: null },
    });
    assert.equal(none, null, 'an inactive webhook takes no invocation');

    const reactivated = await call('PATCH', `/api/v2/webhooks/${w.id}`, { webhook: { status: 'active' } });
    assert.equal(reactivated.status, 204);
    const again = (await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook;
    assert.equal(again.status, 'active');
    assert.equal(again.deactivation_reason, null);
    assert.equal(again.deactivated_at, null);
    // The streak starts over: one more failure does not deactivate it.
    script('/broken', [404]);
    await finished(app, acct, w.id, await invoke(app, acct, w.id, '{"n":4}'));
    assert.equal((await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook.status, 'active');
  });

  test('a delivery in between resets the failure streak', async () => {
    script('/sometimes', [400, 400, 200, 400, 400]);
    const w = await newWebhook({ endpoint: `${receiverUrl}/sometimes` });
    for (let i = 0; i < 5; i++) await finished(app, acct, w.id, await invoke(app, acct, w.id, `{"i":${i}}`));
    assert.equal((await call('GET', `/api/v2/webhooks/${w.id}`)).body.webhook.status, 'active');
  });

  test('GET webhooks send the payload’s values as query parameters and sign an empty body', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/get-hook?fixed=1`, http_method: 'GET' });
    const secret = await signingSecret(w.id);
    await invoke(app, acct, w.id, '{"ticket_id":5,"status":"open","nested":{"x":1}}');
    const got = await eventually('the GET request', async () =>
      received.find((r) => r.path.startsWith('/get-hook')),
    );
    assert.equal(got.method, 'GET');
    assert.equal(got.path, '/get-hook?fixed=1&ticket_id=5&status=open');
    assert.equal(got.body, '');
    const ts = String(got.headers['x-zendesk-webhook-signature-timestamp']);
    assert.equal(got.headers['x-zendesk-webhook-signature'], sign(secret, ts, ''));
  });

  test('a lost job is queued again by the sweeper', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/swept` });
    const db = app.runtime.services.tenantDb(acct.id);
    const id = await recordWebhookInvocation(db, {
      webhookId: w.id,
      body: '{"lost":true}',
      source: { type: 'automation', id: 3, title: 'Nightly', ticketId: null },
    });
    assert.ok(id);
    // Never queued, and long overdue: as after a crash between commit and enqueue.
    await db
      .updateTable('webhook_invocations')
      .set({ next_attempt_at: new Date(Date.now() - 10 * 60_000) })
      .where('id', '=', id)
      .execute();
    const requeued = await sweepInvocations(app.runtime.services.database.db, app.runtime.services);
    assert.ok(requeued >= 1);
    const inv = await finished(app, acct, w.id, id);
    assert.equal(inv.status, 'delivered');
    assert.deepEqual(inv.source, { type: 'automation', id: 3, title: 'Nightly', ticket_id: null });
  });

  test('invocations older than the retention period are pruned', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/old` });
    const id = await invoke(app, acct, w.id, '{"old":true}');
    await finished(app, acct, w.id, id);
    const db = app.runtime.services.tenantDb(acct.id);
    await db
      .updateTable('webhook_invocations')
      .set({ created_at: new Date(Date.now() - 8 * 86_400_000) })
      .where('id', '=', id)
      .execute();
    const prune = webhookJobs(app.runtime.services.database.db, app.runtime.services).find(
      (j) => j.name === WEBHOOK_PRUNE_JOB,
    );
    assert.ok(prune?.cron);
    await prune.handler({}, { id: 'test' });
    assert.equal(await invocationOf(app, acct, w.id, id), undefined);
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select('id')
      .where('invocation_id', '=', id)
      .execute();
    assert.deepEqual(attempts, []);
  });

  test('POST /webhooks/test sends one signed request and shows the answer', async () => {
    const w = await newWebhook({ endpoint: `${receiverUrl}/tested` });
    const secret = await signingSecret(w.id);
    const res = await call('POST', `/api/v2/webhooks/test?webhook_id=${w.id}`, {
      request: { payload: { hello: 'world' } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.response.status, 200);
    assert.equal(res.body.response.body, '{"received":true,"status":200}');
    assert.ok(res.body.response.headers.some((h: any) => h.key === 'x-receiver' && h.value === 'local'));
    const got = received.filter((r) => r.path === '/tested').at(-1)!;
    assert.equal(got.body, '{"hello":"world"}');
    const ts = String(got.headers['x-zendesk-webhook-signature-timestamp']);
    assert.equal(got.headers['x-zendesk-webhook-signature'], sign(secret, ts, got.body));

    const adHoc = await call('POST', '/api/v2/webhooks/test', {
      request: {
        endpoint: `${receiverUrl}/adhoc`,
        http_method: 'POST',
        request_format: 'json',
        payload: '{"a":1}',
      },
    });
    assert.equal(adHoc.status, 200, adHoc.text);
    const sent = received.filter((r) => r.path === '/adhoc').at(-1)!;
    const ts2 = String(sent.headers['x-zendesk-webhook-signature-timestamp']);
    assert.equal(sent.headers['x-zendesk-webhook-signature'], sign(TEST_SIGNING_SECRET, ts2, '{"a":1}'));
    const missing = await call('POST', '/api/v2/webhooks/test', { request: {} });
    assert.equal(missing.status, 422);
    const invocations = await call('GET', `/api/v2/webhooks/${w.id}/invocations`);
    assert.deepEqual(invocations.body.invocations, [], 'tests are not logged as invocations');
  });

  test('node-zendesk 6 drives the webhooks API unchanged', async () => {
    const client = zendesk.createClient({
      username: acct.adminEmail,
      token: acct.token,
      endpointUri: `${app.baseUrl}/api/v2`,
      throwOriginalException: true,
    }) as any;
    const { result: created } = await client.webhooks.create({
      webhook: {
        name: 'From node-zendesk',
        endpoint: `${receiverUrl}/nz`,
        http_method: 'POST',
        request_format: 'json',
        status: 'active',
        subscriptions: ['conditional_ticket_events'],
      },
    });
    assert.equal(created.name, 'From node-zendesk');
    const { result: shown } = await client.webhooks.show(created.id);
    assert.equal(shown.id, created.id);
    const listed = await client.webhooks.list();
    assert.ok(listed.some((w: any) => w.id === created.id));
    await client.webhooks.update(created.id, {
      webhook: {
        name: 'Renamed by node-zendesk',
        endpoint: `${receiverUrl}/nz`,
        http_method: 'POST',
        request_format: 'json',
        status: 'active',
      },
    });
    await client.webhooks.patch(created.id, { webhook: { description: 'patched' } });
    const { result: after } = await client.webhooks.show(created.id);
    assert.equal(after.name, 'Renamed by node-zendesk');
    assert.equal(after.description, 'patched');
    const { result: secret } = await client.webhooks.getSigningSecret(created.id);
    assert.equal(secret.algorithm ?? secret.signing_secret?.algorithm, 'SHA256');
    const { result: invocations } = await client.webhooks.listInvocations(created.id);
    assert.ok(Array.isArray(invocations.invocations ?? invocations));
    // node-zendesk joins this path with a double slash (`/api/v2//webhooks/test`); the router accepts it.
    const { result: tested } = await client.webhooks.test({
      request: { endpoint: `${receiverUrl}/nz-test`, http_method: 'POST', request_format: 'json' },
    });
    assert.equal(tested.response.status, 200);
    await client.webhooks.delete(created.id);
    assert.equal((await call('GET', `/api/v2/webhooks/${created.id}`)).status, 404);
  });
});

describe('logs', () => {
  test('delivery logs name ids and outcomes, never credentials, signing secrets or bodies', () => {
    const text = logLines.join('');
    assert.match(text, /"msg":"webhook delivered"/);
    assert.match(text, /"msg":"webhook delivery failed"/);
    assert.match(text, /"msg":"webhook deactivated"/);
    assert.ok(secretsSeen.length >= 5);
    for (const secret of [
      ...secretsSeen,
      'pa55-w0rd-s3cret',
      'first-token-123',
      'k3y-value',
      'Printer on fire',
    ]) {
      assert.ok(!text.includes(secret), `a log line carries ${secret}`);
    }
  });
});

describe('private addresses without HAVEN_ALLOW_PRIVATE_EGRESS', () => {
  let strict: TestApp;
  let owner: TestAccount;

  before(async () => {
    strict = await startTestApp({ HAVEN_WEBHOOK_RETRY_BASE_MS: '10' });
    owner = await strict.createAccount();
  });

  after(async () => {
    await strict?.close();
  });

  test('a webhook to a loopback address fails without retrying, and the log says why', async () => {
    const created = await api(strict, 'POST', '/api/v2/webhooks', {
      auth: owner.auth,
      body: { webhook: { name: 'Local', endpoint: `${receiverUrl}/must-not-arrive`, http_method: 'POST' } },
    });
    assert.equal(created.status, 201, created.text);
    const w = created.body.webhook;
    const id = await invoke(strict, owner, w.id, '{"secret":"stays home"}');
    const inv = await finished(strict, owner, w.id, id);
    assert.equal(inv.status, 'failed');
    assert.equal(inv.attempts_count, 1, 'a refused address is not retried');
    assert.equal(inv.status_code, null);
    const attempts = await attemptsOf(strict, owner, w.id, id);
    assert.equal(attempts.length, 1);
    assert.match(attempts[0].error, /^blocked_address: /);
    assert.match(attempts[0].error, /loopback/);
    assert.match(attempts[0].error, /HAVEN_ALLOW_PRIVATE_EGRESS=true/);
    assert.equal(
      received.filter((r) => r.path === '/must-not-arrive').length,
      0,
      'nothing reached the receiver',
    );
  });

  test('a host name that resolves to loopback is refused too, and so is a test request', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const res = await api(strict, 'POST', '/api/v2/webhooks/test', {
      auth: owner.auth,
      body: { request: { endpoint: `http://localhost:${port}/must-not-arrive`, http_method: 'POST' } },
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.details.endpoint[0].error, 'BlockedAddress');
    assert.match(res.body.details.endpoint[0].description, /loopback/);
    for (const endpoint of [
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9/',
    ]) {
      const blocked = await api(strict, 'POST', '/api/v2/webhooks/test', {
        auth: owner.auth,
        body: { request: { endpoint, http_method: 'GET' } },
      });
      assert.equal(blocked.status, 422, `${endpoint}: ${blocked.text}`);
    }
    assert.equal(received.filter((r) => r.path === '/must-not-arrive').length, 0);
  });
});

describe('outcomes and backoff', () => {
  const response = (status: number, headers: Record<string, string> = {}) =>
    outcomeOf({ status, headers, body: '', truncated: false, address: '203.0.113.1' });

  test('2xx delivers; 408, 429 and 5xx retry; other 4xx and 3xx fail at once', () => {
    assert.equal(response(204).delivered, true);
    for (const status of [408, 429, 500, 502, 503])
      assert.equal(response(status).retry, true, String(status));
    for (const status of [301, 400, 401, 404, 410, 422]) {
      assert.equal(response(status).retry, false, String(status));
      assert.equal(response(status).delivered, false, String(status));
    }
  });

  test('network trouble retries; a refused address or a bad URL does not', () => {
    for (const code of ['timeout', 'connection', 'dns'] as const) {
      assert.equal(outcomeOf(new EgressError(code, 'x')).retry, true, code);
    }
    for (const code of ['blocked_address', 'invalid_url', 'invalid_request'] as const) {
      assert.equal(outcomeOf(new EgressError(code, 'x')).retry, false, code);
    }
  });

  test('delays double from the base, and Retry-After is honoured up to a cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelayMs(n, 10_000, null)),
      [10_000, 20_000, 40_000, 80_000],
    );
    assert.equal(response(429, { 'retry-after': '120' }).retryAfterMs, 120_000);
    assert.equal(retryDelayMs(1, 10_000, 120_000), 120_000);
    assert.equal(retryDelayMs(1, 10_000, 86_400_000), RETRY_AFTER_CAP_MS);
    assert.equal(retryDelayMs(3, 10_000, 1000), 40_000, 'never sooner than the backoff');
    const now = Date.parse('2024-05-01T10:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 May 2024 10:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(response(500, { 'retry-after': '5' }).retryAfterMs, null, 'only 429 and 503 ask to wait');
  });
});
