import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ApiResponse,
  api,
  startTestApp,
  type TestAccount,
  type TestApp,
} from '../../../test/harness.ts';
import { buildHttpApp } from './app.ts';
import { defineRoute, type RouteSpec, respond } from './define-route.ts';

/** The Zendesk conventions every route shares (zendesk-api.md §2), checked over real HTTP. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const BODY_LIMIT = 4096;

let app: TestApp;
let acct: TestAccount;
let host: string;
const errorBodies: ApiResponse[] = [];

function call(method: string, path: string, options: Parameters<typeof api>[3] = {}) {
  return api(app, method, path, { auth: acct.auth, host, ...options }).then((res) => {
    if (res.status >= 400) errorBodies.push(res);
    return res;
  });
}

/** Follows an absolute `next_page` / `links.next` URL: same path and query, on the host it names. */
function follow(url: string) {
  const u = new URL(url);
  assert.equal(u.protocol, 'http:');
  return call('GET', `${u.pathname}${u.search}`, { host: u.host });
}

before(async () => {
  app = await startTestApp({ HAVEN_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  acct = await app.createAccount('conv');
  host = `${acct.subdomain}.haven.test`;
  for (let i = 1; i <= 6; i += 1) {
    const res = await call('POST', '/api/v2/users', {
      body: { user: { name: `Person ${i}`, email: `person${i}@conv.example`, external_id: `ext-${i}.json` } },
    });
    assert.equal(res.status, 201, res.text);
  }
});
after(async () => {
  await app?.close();
});

describe('the .json suffix', () => {
  test('works on list, show, search, create, update and delete routes, and on install routes', async () => {
    const list = await call('GET', '/api/v2/users.json');
    assert.equal(list.status, 200);
    assert.equal(list.body.users.length, 7);
    const id = list.body.users.at(-1).id;

    const show = await call('GET', `/api/v2/users/${id}.json?include=identities`);
    assert.equal(show.status, 200);
    assert.equal(show.body.user.id, id);
    assert.ok(Array.isArray(show.body.identities));

    const search = await call('GET', '/api/v2/users/search.json?query=email%3Aperson2%40conv.example');
    assert.equal(search.status, 200);
    assert.deepEqual(
      search.body.users.map((u: any) => u.email),
      ['person2@conv.example'],
    );

    const created = await call('POST', '/api/v2/users.json', { body: { user: { name: 'Suffix Person' } } });
    assert.equal(created.status, 201);
    assert.match(created.headers.get('location') ?? '', /\/api\/v2\/users\/\d+\.json$/);

    const updated = await call('PUT', `/api/v2/users/${created.body.user.id}.json`, {
      body: { user: { alias: 'Sfx' } },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.user.alias, 'Sfx');

    const identity = await call('POST', `/api/v2/users/${created.body.user.id}/identities.json`, {
      body: { identity: { type: 'email', value: 'suffix@conv.example' } },
    });
    assert.equal(identity.status, 201, identity.text);
    const added = await call('POST', `/api/v2/users/${created.body.user.id}/identities.json`, {
      body: { identity: { type: 'email', value: 'suffix2@conv.example' } },
    });
    assert.equal(added.status, 201, added.text);
    const removed = await call(
      'DELETE',
      `/api/v2/users/${created.body.user.id}/identities/${added.body.identity.id}.json`,
    );
    assert.equal(removed.status, 204, removed.text);

    const account = await call('GET', '/api/v2/account.json');
    assert.equal(account.status, 200);
    assert.equal(account.body.account.subdomain, acct.subdomain);

    const doc = await api(app, 'GET', '/api/v2/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');

    const deleted = await call('DELETE', `/api/v2/users/${created.body.user.id}.json`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.user.active, false);
  });

  test('is only stripped from the path, never from a query value', async () => {
    const plain = await call('GET', '/api/v2/users/search?external_id=ext-3.json');
    assert.equal(plain.status, 200);
    assert.deepEqual(
      plain.body.users.map((u: any) => u.external_id),
      ['ext-3.json'],
    );
    const suffixed = await call('GET', '/api/v2/users/search.json?external_id=ext-4.json');
    assert.deepEqual(
      suffixed.body.users.map((u: any) => u.external_id),
      ['ext-4.json'],
    );
  });
});

describe('error bodies', () => {
  test('malformed JSON is 400 InvalidJSON', async () => {
    const res = await call('POST', '/api/v2/users', { rawBody: '{"user": {"name": "x",' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.body.error, 'InvalidJSON');
    assert.equal(res.body.code, 'CS_INVALID_JSON');
  });

  test('a body over HAVEN_BODY_LIMIT_BYTES is 413 JSON', async () => {
    const res = await call('POST', '/api/v2/users', {
      body: { user: { name: 'Big', notes: 'n'.repeat(BODY_LIMIT * 2) } },
    });
    assert.equal(res.status, 413);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.body.error, 'RequestTooLarge');
    assert.equal(res.body.code, 'CS_BODY_TOO_LARGE');
  });

  test('an unknown route under /api is 404 JSON, with or without credentials', async () => {
    for (const options of [{}, { auth: undefined }]) {
      const res = await call('GET', '/api/v2/no_such_things.json', options);
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(res.body.error, 'InvalidEndpoint');
      assert.equal(res.body.code, 'CS_ROUTE_NOT_FOUND');
    }
    const wrongMethod = await call('PATCH', '/api/v2/account');
    assert.equal(wrongMethod.status, 404);
    assert.equal(wrongMethod.body.code, 'CS_ROUTE_NOT_FOUND');
  });

  test("401 is exactly Zendesk's body plus our code, with WWW-Authenticate", async () => {
    const cases: Parameters<typeof api>[3][] = [
      { auth: undefined },
      { auth: `Basic ${Buffer.from(`${acct.adminEmail}/token:not-a-real-token`).toString('base64')}` },
      { auth: `Basic ${Buffer.from(`${acct.adminEmail}:wrong password here`).toString('base64')}` },
      { auth: 'Bearer not-a-real-token' },
      { auth: 'Basic !!!' },
      { auth: 'Digest abc' },
    ];
    for (const options of cases) {
      const res = await call('GET', '/api/v2/users.json', options);
      assert.equal(res.status, 401, `${options?.auth}: ${res.text}`);
      assert.deepEqual(res.body, { error: "Couldn't authenticate you", code: 'CS_AUTH_REQUIRED' });
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="Web Password"');
    }
    // The agent app (X-Requested-With) and a browser with an ended session get the 401 without the Basic
    // challenge, which would otherwise hold the request behind the browser's password prompt.
    const fromApp = await call('GET', '/api/v2/users.json', {
      auth: undefined,
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    assert.equal(fromApp.status, 401);
    assert.equal(fromApp.headers.get('www-authenticate'), null);
    const endedSession = await call('GET', '/api/v2/users.json', {
      auth: undefined,
      headers: { cookie: 'haven_session=ended-or-unknown' },
    });
    assert.equal(endedSession.status, 401);
    assert.equal(endedSession.headers.get('www-authenticate'), null);
  });

  test('422 has RecordInvalid, a description and per-field details', async () => {
    const res = await call('POST', '/api/v2/users', { body: { user: { name: '', email: 'not-an-email' } } });
    assert.equal(res.status, 422);
    assert.equal(res.body.error, 'RecordInvalid');
    assert.equal(typeof res.body.description, 'string');
    assert.equal(res.body.code, 'CS_INVALID');
    for (const field of ['name', 'email']) {
      const entries = res.body.details[field];
      assert.ok(Array.isArray(entries) && entries.length > 0, `details.${field}`);
      for (const e of entries) {
        assert.deepEqual(Object.keys(e).sort(), ['description', 'error']);
        assert.equal(typeof e.description, 'string');
        assert.equal(typeof e.error, 'string');
      }
    }
    const duplicate = await call('POST', '/api/v2/users', {
      body: { user: { name: 'Dup', email: 'person1@conv.example' } },
    });
    assert.equal(duplicate.status, 422);
    assert.equal(duplicate.body.details.email[0].error, 'DuplicateValue');
  });

  test('a NUL character in a JSON string is a client error, not a 500', async () => {
    const res = await call('POST', '/api/v2/users', { body: { user: { name: 'Nul\u0000Person' } } });
    assert.ok(res.status === 400 || res.status === 422, `${res.status} ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  });

  test('DELETE with Content-Type: application/json and an empty body works (node-zendesk sends it)', async () => {
    for (const rawBody of [undefined, '', '  ']) {
      const token = await call('POST', '/api/v2/api_tokens', {
        body: { api_token: { description: 'to delete' } },
      });
      assert.equal(token.status, 201);
      const res = await call('DELETE', `/api/v2/api_tokens/${token.body.api_token.id}.json`, {
        headers: { 'content-type': 'application/json' },
        rawBody,
      });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
    }
  });

  test('invalid path params are 404 and invalid query params are 400', async () => {
    const badId = await call('GET', '/api/v2/users/abc.json');
    assert.equal(badId.status, 404);
    assert.equal(badId.body.error, 'RecordNotFound');
    const badQuery = await call('GET', '/api/v2/users.json?per_page=1000');
    assert.equal(badQuery.status, 400);
    assert.equal(badQuery.body.code, 'CS_BAD_REQUEST');
  });
});

describe('offset pagination', () => {
  test('page and per_page give absolute next_page / previous_page and the total count', async () => {
    const first = await call('GET', '/api/v2/users.json?per_page=3');
    assert.equal(first.status, 200);
    assert.equal(first.body.users.length, 3);
    assert.equal(first.body.count, 7); // the admin and six people; the deactivated suffix person is not listed
    assert.equal(first.body.previous_page, null);
    assert.equal(typeof first.body.next_page, 'string');
    assert.ok(first.body.next_page.startsWith(`http://${host}/api/v2/users.json?`), first.body.next_page);

    const second = await follow(first.body.next_page);
    assert.equal(second.status, 200);
    assert.equal(second.body.users.length, 3);
    assert.ok(second.body.previous_page.startsWith(`http://${host}/`));
    const third = await follow(second.body.next_page);
    assert.equal(third.body.users.length, 1);
    assert.equal(third.body.next_page, null);
    const back = await follow(third.body.previous_page);
    assert.deepEqual(
      back.body.users.map((u: any) => u.id),
      second.body.users.map((u: any) => u.id),
    );

    const ids = [first, second, third].flatMap((r) => r.body.users.map((u: any) => u.id));
    assert.equal(new Set(ids).size, 7);
  });

  test('asking beyond the first 10,000 records is 400', async () => {
    for (const q of ['page=101&per_page=100', 'page=10001&per_page=1', 'page=201']) {
      const res = await call('GET', `/api/v2/users.json?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.code, 'CS_PAGINATION_LIMIT');
    }
    const lastAllowed = await call('GET', '/api/v2/users.json?page=100&per_page=100');
    assert.equal(lastAllowed.status, 200);
    assert.deepEqual(lastAllowed.body.users, []);
  });
});

describe('cursor pagination', () => {
  test('percent-encoded page[size] switches to cursor style; walking links.next reaches the end', async () => {
    let res = await call('GET', '/api/v2/users.json?page%5Bsize%5D=3');
    assert.equal(res.status, 200);
    assert.equal(res.body.next_page, undefined, 'no offset fields on cursor pages');
    assert.equal(res.body.meta.has_more, true);
    assert.equal(typeof res.body.meta.after_cursor, 'string');
    assert.equal(res.body.links.prev, null);
    const seen: number[] = [];
    const pages: any[] = [];
    for (let i = 0; i < 10; i += 1) {
      pages.push(res.body);
      seen.push(...res.body.users.map((u: any) => u.id));
      if (!res.body.links.next) break;
      assert.ok(res.body.links.next.includes('page%5Bafter%5D='), res.body.links.next);
      assert.ok(res.body.links.next.startsWith(`http://${host}/`));
      res = await follow(res.body.links.next);
      assert.equal(res.status, 200);
    }
    const last = pages.at(-1);
    assert.equal(last.links.next, null);
    assert.equal(last.meta.has_more, false);
    assert.equal(last.meta.after_cursor, null);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
    );

    // page[before] walks back to the page before.
    const second = pages[1];
    assert.ok(second.links.prev.includes('page%5Bbefore%5D='));
    const back = await follow(second.links.prev);
    assert.deepEqual(
      back.body.users.map((u: any) => u.id),
      pages[0].users.map((u: any) => u.id),
    );
    assert.equal(back.body.meta.has_more, true);
  });

  test('an exact multiple of the page size still ends with links.next null, and bad cursors are rejected', async () => {
    const eighth = await call('POST', '/api/v2/users', { body: { user: { name: 'Person 8' } } });
    assert.equal(eighth.status, 201);
    const all = await call('GET', '/api/v2/users.json?page[size]=4');
    assert.equal(all.body.users.length, 4);
    const rest = await follow(all.body.links.next);
    assert.equal(rest.body.users.length, 4);
    assert.equal(rest.body.links.next, null);
    assert.equal(rest.body.meta.has_more, false);

    const bad = await call('GET', '/api/v2/users.json?page%5Bafter%5D=garbage');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error, 'RecordInvalid');
  });
});

describe('records', () => {
  test('timestamps are ISO-8601 UTC without milliseconds and every record has its url', async () => {
    await call('POST', '/api/v2/api_tokens', { body: { api_token: { description: 'listed' } } });
    const sources: [string, string][] = [
      ['/api/v2/users.json', 'users'],
      ['/api/v2/api_tokens.json', 'api_tokens'],
      ['/api/v2/audit_logs.json', 'audit_logs'],
      [`/api/v2/users/${acct.adminId}/identities.json`, 'identities'],
    ];
    for (const [path, key] of sources) {
      const res = await call('GET', path);
      assert.equal(res.status, 200, path);
      assert.ok(res.body[key].length > 0, `${path} has records`);
      for (const record of res.body[key]) {
        assert.equal(typeof record.id, 'number');
        assert.match(record.url, new RegExp(`^http://${host.replace(/\./g, '\\.')}/api/v2/.+\\.json$`));
        for (const [field, value] of Object.entries(record)) {
          if (field.endsWith('_at') && value !== null)
            assert.match(String(value), TIMESTAMP, `${key}.${field}`);
        }
      }
    }
    const me = await call('GET', '/api/v2/users/me.json');
    assert.match(me.body.user.created_at, TIMESTAMP);
    assert.match(me.body.user.url, /\/api\/v2\/users\/\d+\.json$/);
    const account = await call('GET', '/api/v2/account.json');
    assert.ok(account.body.account.url);
  });
});

describe('documentation and health', () => {
  test('GET /api/v2/openapi.json is an OpenAPI 3.1 document of the API', async () => {
    const res = await api(app, 'GET', '/api/v2/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.body.openapi, '3.1.0');
    assert.equal(typeof res.body.info.title, 'string');
    assert.equal(typeof res.body.info.version, 'string');
    const users = res.body.paths['/api/v2/users/{id}'];
    assert.ok(users, 'lists /api/v2/users/{id}');
    assert.ok(users.get && users.put && users.delete);
    assert.ok(users.get.parameters.some((p: any) => p.name === 'id' && p.in === 'path' && p.required));
    assert.ok(users.put.requestBody.content['application/json'].schema);
    for (const [path, methods] of Object.entries<any>(res.body.paths)) {
      assert.ok(path.startsWith('/api/'), `${path} is an API path (no HTML pages in the document)`);
      for (const op of Object.values<any>(methods)) {
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${path} has responses`);
        assert.ok(['public', 'end_user', 'agent', 'admin'].includes(op['x-haven-auth']));
      }
    }
  });

  test('/api/docs is an HTML page that names the endpoints', async () => {
    const res = await api(app, 'GET', '/api/docs', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(res.text.includes('/api/v2/users/{id}'));
    assert.ok(res.text.includes('/api/v2/api_tokens'));
    assert.ok(res.text.includes('/api/v2/openapi.json'));
  });

  test('/healthz and /readyz answer 200', async () => {
    const health = await api(app, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await api(app, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
  });
});

describe('start-up', () => {
  test('a route without an auth mode makes buildHttpApp throw', async () => {
    const noAuth = {
      method: 'GET',
      url: '/api/v2/unguarded',
      summary: 'Forgot its auth mode',
      handler: async () => respond(200, {}),
    } as unknown as RouteSpec;
    await assert.rejects(buildHttpApp(app.runtime.services, [noAuth]), /must declare its auth mode/);
    const unknownMode = { ...noAuth, auth: 'everyone' } as unknown as RouteSpec;
    await assert.rejects(buildHttpApp(app.runtime.services, [unknownMode]), /must declare its auth mode/);
    const fine = defineRoute({
      method: 'GET',
      url: '/api/v2/guarded',
      auth: 'admin',
      summary: 'ok',
      handler: async () => respond(200, {}),
    });
    const built = await buildHttpApp(app.runtime.services, [fine]);
    await built.close();
  });
});

test('no error body carries a stack trace or internals', () => {
  assert.ok(errorBodies.length >= 15, `collected ${errorBodies.length} error responses`);
  for (const res of errorBodies) {
    assert.doesNotMatch(res.text, /\bat .+\(.+:\d+:\d+\)|\.ts:\d+|node_modules|"stack"/, res.text);
    if (typeof res.body === 'object') {
      assert.equal(typeof res.body.error, 'string', res.text);
      assert.equal(typeof res.body.code, 'string', res.text);
    }
  }
});
