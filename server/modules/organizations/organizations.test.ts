import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, basic, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentAuth: string;
let endUserAuth: string;
let endUserId: number;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function createOrg(organization: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'POST', '/api/v2/organizations.json', { auth, body: { organization } });
}

async function eventsFor(type: string, subjectId: number) {
  return app.runtime.services.database.db
    .selectFrom('events')
    .selectAll()
    .where('account_id', '=', acct.id)
    .where('type', '=', type)
    .where('subject_id', '=', subjectId)
    .execute();
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  await acct.createUser('Agent Smith', 'agent@org.test', 'agent');
  endUserId = (await acct.createUser('Erin End', 'erin@org.test', 'end-user')).id;
  agentAuth = acct.authAs('agent@org.test');
  endUserAuth = acct.authAs('erin@org.test');
});

after(async () => {
  await app?.close();
});

describe('POST /api/v2/organizations', () => {
  test('creates with every field, 201 with Location, and appends organization.created', async () => {
    const group = await api(app, 'POST', '/api/v2/groups.json', {
      auth: acct.auth,
      body: { group: { name: 'Tier 1' } },
    });
    const field = await api(app, 'POST', '/api/v2/organization_fields.json', {
      auth: acct.auth,
      body: { organization_field: { type: 'text', title: 'Region', key: 'region' } },
    });
    assert.equal(field.status, 201, field.text);
    const res = await createOrg({
      name: 'Acme Corp',
      details: 'Big customer',
      notes: 'Pays late',
      external_id: 'acme-1',
      domain_names: ['Acme.example', 'acme.example', 'acme.test'],
      group_id: group.body.group.id,
      shared_tickets: true,
      shared_comments: true,
      tags: ['VIP', 'vip', 'gold'],
      organization_fields: { region: 'emea' },
      account_id: 999,
    });
    assert.equal(res.status, 201, res.text);
    const org = res.body.organization;
    assert.equal(typeof org.id, 'number');
    assert.equal(res.headers.get('location'), org.url);
    assert.match(org.url, new RegExp(`/api/v2/organizations/${org.id}\\.json$`));
    assert.equal(org.name, 'Acme Corp');
    assert.equal(org.details, 'Big customer');
    assert.equal(org.notes, 'Pays late');
    assert.equal(org.external_id, 'acme-1');
    assert.deepEqual(org.domain_names, ['acme.example', 'acme.test']);
    assert.equal(org.group_id, group.body.group.id);
    assert.equal(org.shared_tickets, true);
    assert.equal(org.shared_comments, true);
    assert.deepEqual(org.tags, ['vip', 'gold']);
    assert.deepEqual(org.organization_fields, { region: 'emea' });
    assert.match(org.created_at, ISO);
    assert.match(org.updated_at, ISO);
    assert.equal((await eventsFor('organization.created', org.id)).length, 1);
  });

  test('a duplicate name, in any case, is 422 DuplicateValue on name', async () => {
    assert.equal((await createOrg({ name: 'Dup Name Inc' })).status, 201);
    const res = await createOrg({ name: 'DUP name inc' });
    assert.equal(res.status, 422);
    assert.equal(res.body.error, 'RecordInvalid');
    assert.equal(res.body.details.name[0].error, 'DuplicateValue');
  });

  test('a duplicate external_id is 422 on external_id', async () => {
    assert.equal((await createOrg({ name: 'Ext One', external_id: 'ext-dup' })).status, 201);
    const res = await createOrg({ name: 'Ext Two', external_id: 'ext-dup' });
    assert.equal(res.status, 422);
    assert.equal(res.body.details.external_id[0].error, 'DuplicateValue');
  });

  test('validation: blank name, unknown or deleted group, bad domain, wrong types', async () => {
    const blank = await createOrg({ details: 'no name' });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.details.name[0].error, 'BlankValue');

    const missingGroup = await createOrg({ name: 'Groupless', group_id: 987654 });
    assert.equal(missingGroup.status, 422);
    assert.equal(missingGroup.body.details.group_id[0].error, 'InvalidValue');

    const g = await api(app, 'POST', '/api/v2/groups.json', {
      auth: acct.auth,
      body: { group: { name: 'Doomed' } },
    });
    await api(app, 'DELETE', `/api/v2/groups/${g.body.group.id}.json`, { auth: acct.auth });
    const deletedGroup = await createOrg({ name: 'Doomed Org', group_id: g.body.group.id });
    assert.equal(deletedGroup.status, 422);
    assert.ok(deletedGroup.body.details.group_id);

    const domain = await createOrg({ name: 'Bad Domain', domain_names: ['not a domain'] });
    assert.equal(domain.status, 422);
    assert.ok(domain.body.details['domain_names.0']);

    const types = await createOrg({ name: 'Typed', shared_tickets: 'yes' });
    assert.equal(types.status, 422);
    assert.ok(types.body.details.shared_tickets);
  });

  test('a group of another account is not a valid group_id', async () => {
    const foreign = await api(app, 'POST', '/api/v2/groups.json', {
      auth: other.auth,
      body: { group: { name: 'Foreign' } },
    });
    const res = await createOrg({ name: 'Cross Group', group_id: foreign.body.group.id });
    assert.equal(res.status, 422);
    assert.ok(res.body.details.group_id);
  });

  test('agents and end-users may not create', async () => {
    assert.equal((await createOrg({ name: 'By Agent' }, agentAuth)).status, 403);
    assert.equal((await createOrg({ name: 'By End User' }, endUserAuth)).status, 403);
    assert.equal((await createOrg({ name: 'Anon' }, '')).status, 401);
  });
});

describe('GET /api/v2/organizations/:id', () => {
  test('agents read; other accounts get 404; unknown ids 404 RecordNotFound', async () => {
    const org = (await createOrg({ name: 'Readable' })).body.organization;
    const res = await api(app, 'GET', `/api/v2/organizations/${org.id}.json`, { auth: agentAuth });
    assert.equal(res.status, 200);
    assert.equal(res.body.organization.name, 'Readable');

    const cross = await api(app, 'GET', `/api/v2/organizations/${org.id}.json`, { auth: other.auth });
    assert.equal(cross.status, 404);
    assert.equal(cross.body.error, 'RecordNotFound');

    const missing = await api(app, 'GET', '/api/v2/organizations/99999999.json', { auth: acct.auth });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'RecordNotFound');
  });

  test('an end-user sees only their own organization', async () => {
    const mine = (await createOrg({ name: 'Erin Co' })).body.organization;
    const theirs = (await createOrg({ name: 'Not Erin Co' })).body.organization;
    assert.equal(
      (await api(app, 'GET', `/api/v2/organizations/${mine.id}.json`, { auth: endUserAuth })).status,
      404,
    );
    const put = await api(app, 'PUT', `/api/v2/users/${endUserId}.json`, {
      auth: acct.auth,
      body: { user: { organization_id: mine.id } },
    });
    assert.equal(put.status, 200, put.text);
    const own = await api(app, 'GET', `/api/v2/organizations/${mine.id}.json`, { auth: endUserAuth });
    assert.equal(own.status, 200);
    assert.equal(own.body.organization.id, mine.id);
    assert.equal(
      (await api(app, 'GET', `/api/v2/organizations/${theirs.id}.json`, { auth: endUserAuth })).status,
      404,
    );
    assert.equal((await api(app, 'GET', '/api/v2/organizations.json', { auth: endUserAuth })).status, 403);
  });
});

describe('GET /api/v2/organizations (pagination)', () => {
  let fresh: TestAccount;
  before(async () => {
    fresh = await app.createAccount();
    for (const name of ['P1', 'P2', 'P3', 'P4', 'P5']) {
      const res = await createOrg({ name }, fresh.auth);
      assert.equal(res.status, 201);
    }
  });

  test('offset: next_page/previous_page are absolute URLs and count is the total', async () => {
    const first = await api(app, 'GET', '/api/v2/organizations.json?per_page=2', { auth: fresh.auth });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.organizations.map((o: any) => o.name),
      ['P1', 'P2'],
    );
    assert.equal(first.body.count, 5);
    assert.equal(first.body.previous_page, null);
    const next = new URL(first.body.next_page);
    assert.equal(next.origin, app.baseUrl);
    assert.equal(next.searchParams.get('page'), '2');
    const last = await api(app, 'GET', '/api/v2/organizations.json?per_page=2&page=3', { auth: fresh.auth });
    assert.deepEqual(
      last.body.organizations.map((o: any) => o.name),
      ['P5'],
    );
    assert.equal(last.body.next_page, null);
    assert.match(last.body.previous_page, /^http:\/\/.*page=2/);
  });

  test('cursor: percent-encoded page[size], has_more, and links.next null on the last page', async () => {
    const names: string[] = [];
    let path: string | null = '/api/v2/organizations.json?page%5Bsize%5D=2';
    let pages = 0;
    while (path) {
      const res: any = await api(app, 'GET', path, { auth: fresh.auth });
      assert.equal(res.status, 200, res.text);
      assert.ok(!('next_page' in res.body));
      names.push(...res.body.organizations.map((o: any) => o.name));
      pages += 1;
      if (res.body.meta.has_more) {
        assert.ok(res.body.links.next);
        path = res.body.links.next.replace(app.baseUrl, '');
      } else {
        assert.equal(res.body.links.next, null);
        path = null;
      }
      assert.ok(pages < 10, 'pagination must end');
    }
    assert.deepEqual(names, ['P1', 'P2', 'P3', 'P4', 'P5']);
    assert.equal(pages, 3);
  });

  test('an invalid cursor is rejected', async () => {
    const res = await api(app, 'GET', '/api/v2/organizations.json?page%5Bafter%5D=garbage', {
      auth: fresh.auth,
    });
    assert.equal(res.status, 422);
  });

  test("lists only the caller's account", async () => {
    const res = await api(app, 'GET', '/api/v2/organizations.json', { auth: other.auth });
    assert.ok(res.body.organizations.every((o: any) => !o.name.startsWith('P')));
  });
});

describe('GET /api/v2/organizations/show_many, search, autocomplete, count', () => {
  let a: any;
  let b: any;
  before(async () => {
    a = (await createOrg({ name: 'Globex Ltd', external_id: 'globex' })).body.organization;
    b = (await createOrg({ name: 'Globetrotters', external_id: 'trot' })).body.organization;
    await createOrg({ name: 'Initech' });
  });

  test('show_many by ids and by external_ids; foreign ids are left out', async () => {
    const byIds = await api(app, 'GET', `/api/v2/organizations/show_many.json?ids=${a.id}%2C${b.id}`, {
      auth: agentAuth,
    });
    assert.equal(byIds.status, 200);
    assert.deepEqual(
      byIds.body.organizations.map((o: any) => o.id),
      [a.id, b.id],
    );
    const byExt = await api(app, 'GET', '/api/v2/organizations/show_many.json?external_ids=trot', {
      auth: agentAuth,
    });
    assert.deepEqual(
      byExt.body.organizations.map((o: any) => o.id),
      [b.id],
    );
    const cross = await api(app, 'GET', `/api/v2/organizations/show_many.json?ids=${a.id}`, {
      auth: other.auth,
    });
    assert.deepEqual(cross.body.organizations, []);
  });

  test('search by external_id or name (exact, case-insensitive name); needs one of them', async () => {
    const ext = await api(app, 'GET', '/api/v2/organizations/search.json?external_id=globex', {
      auth: agentAuth,
    });
    assert.equal(ext.status, 200);
    assert.deepEqual(
      ext.body.organizations.map((o: any) => o.id),
      [a.id],
    );
    assert.equal(ext.body.count, 1);
    assert.equal(ext.body.next_page, null);
    const byName = await api(app, 'GET', '/api/v2/organizations/search.json?name=globex%20ltd', {
      auth: agentAuth,
    });
    assert.deepEqual(
      byName.body.organizations.map((o: any) => o.id),
      [a.id],
    );
    const none = await api(app, 'GET', '/api/v2/organizations/search.json', { auth: agentAuth });
    assert.equal(none.status, 400);
    const cross = await api(app, 'GET', '/api/v2/organizations/search.json?external_id=globex', {
      auth: other.auth,
    });
    assert.deepEqual(cross.body.organizations, []);
  });

  test('autocomplete matches a case-insensitive prefix only and treats % literally', async () => {
    const res = await api(app, 'GET', '/api/v2/organizations/autocomplete.json?name=GLOB', {
      auth: agentAuth,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.organizations.map((o: any) => o.name).sort(), ['Globetrotters', 'Globex Ltd']);
    const middle = await api(app, 'GET', '/api/v2/organizations/autocomplete.json?name=tech', {
      auth: agentAuth,
    });
    assert.deepEqual(middle.body.organizations, []);
    const wildcard = await api(app, 'GET', '/api/v2/organizations/autocomplete.json?name=%25%25', {
      auth: agentAuth,
    });
    assert.deepEqual(wildcard.body.organizations, []);
    const short = await api(app, 'GET', '/api/v2/organizations/autocomplete.json?name=G', {
      auth: agentAuth,
    });
    assert.equal(short.status, 400);
    assert.ok(short.body.details.name);
    assert.equal(
      (await api(app, 'GET', '/api/v2/organizations/autocomplete.json?name=Glob', { auth: endUserAuth }))
        .status,
      403,
    );
  });

  test('count is the number of organizations in the account', async () => {
    const fresh = await app.createAccount();
    await createOrg({ name: 'C1' }, fresh.auth);
    await createOrg({ name: 'C2' }, fresh.auth);
    const res = await api(app, 'GET', '/api/v2/organizations/count.json', { auth: fresh.auth });
    assert.equal(res.status, 200);
    assert.equal(res.body.count.value, 2);
    assert.match(res.body.count.refreshed_at, ISO);
  });
});

describe('read endpoints refuse end-users and bad input', () => {
  test('end-users get 403 on every list-style read', async () => {
    for (const path of [
      '/api/v2/organizations.json',
      '/api/v2/organizations/count.json',
      '/api/v2/organizations/show_many.json?ids=1',
      '/api/v2/organizations/search.json?name=x',
    ]) {
      assert.equal((await api(app, 'GET', path, { auth: endUserAuth })).status, 403, path);
    }
  });

  test('show_many takes at most 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    const res = await api(app, 'GET', `/api/v2/organizations/show_many.json?ids=${ids}`, { auth: agentAuth });
    assert.equal(res.status, 400);
  });
});

describe('PUT /api/v2/organizations/:id', () => {
  test('updates fields and appends organization.updated naming only the changed fields', async () => {
    const org = (await createOrg({ name: 'Before', notes: 'x' })).body.organization;
    const res = await api(app, 'PUT', `/api/v2/organizations/${org.id}.json`, {
      auth: acct.auth,
      body: { organization: { name: 'After', notes: 'x', tags: ['new'] } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.organization.name, 'After');
    assert.deepEqual(res.body.organization.tags, ['new']);
    const events = await eventsFor('organization.updated', org.id);
    assert.equal(events.length, 1);
    assert.deepEqual((events[0]!.payload as any).changes.sort(), ['name', 'tags']);
    assert.ok(
      !JSON.stringify(events[0]!.payload).includes('After'),
      'payloads carry field names, not values',
    );
  });

  test('renaming onto another name is 422; keeping its own name is fine', async () => {
    await createOrg({ name: 'Taken Name' });
    const org = (await createOrg({ name: 'Renamer' })).body.organization;
    const clash = await api(app, 'PUT', `/api/v2/organizations/${org.id}.json`, {
      auth: acct.auth,
      body: { organization: { name: 'taken NAME' } },
    });
    assert.equal(clash.status, 422);
    assert.equal(clash.body.details.name[0].error, 'DuplicateValue');
    const same = await api(app, 'PUT', `/api/v2/organizations/${org.id}.json`, {
      auth: acct.auth,
      body: { organization: { name: 'RENAMER' } },
    });
    assert.equal(same.status, 200);
    assert.equal(same.body.organization.name, 'RENAMER');
  });

  test('agents get 403, other accounts 404', async () => {
    const org = (await createOrg({ name: 'Guarded' })).body.organization;
    const body = { organization: { name: 'Hijacked' } };
    assert.equal(
      (await api(app, 'PUT', `/api/v2/organizations/${org.id}.json`, { auth: agentAuth, body })).status,
      403,
    );
    assert.equal(
      (await api(app, 'PUT', `/api/v2/organizations/${org.id}.json`, { auth: other.auth, body })).status,
      404,
    );
    const still = await api(app, 'GET', `/api/v2/organizations/${org.id}.json`, { auth: acct.auth });
    assert.equal(still.body.organization.name, 'Guarded');
  });
});

describe('POST /api/v2/organizations/create_or_update', () => {
  test('creates (201), then matches by external_id, then by name (200)', async () => {
    const url = '/api/v2/organizations/create_or_update.json';
    const created = await api(app, 'POST', url, {
      auth: acct.auth,
      body: { organization: { name: 'Upsert Co', external_id: 'ups-1' } },
    });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.headers.get('location'));
    const id = created.body.organization.id;

    const byExt = await api(app, 'POST', url, {
      auth: acct.auth,
      body: { organization: { name: 'Upsert Company', external_id: 'ups-1' } },
    });
    assert.equal(byExt.status, 200);
    assert.equal(byExt.body.organization.id, id);
    assert.equal(byExt.body.organization.name, 'Upsert Company');

    const byName = await api(app, 'POST', url, {
      auth: acct.auth,
      body: { organization: { name: 'upsert company', notes: 'matched by name' } },
    });
    assert.equal(byName.status, 200);
    assert.equal(byName.body.organization.id, id);
    assert.equal(byName.body.organization.notes, 'matched by name');

    const noName = await api(app, 'POST', url, {
      auth: acct.auth,
      body: { organization: { external_id: 'nobody' } },
    });
    assert.equal(noName.status, 422);
    assert.equal(noName.body.details.name[0].error, 'BlankValue');
    assert.equal(
      (await api(app, 'POST', url, { auth: agentAuth, body: { organization: { name: 'X' } } })).status,
      403,
    );
  });

  test("another account's matching external_id creates its own organization, never touches ours", async () => {
    const url = '/api/v2/organizations/create_or_update.json';
    const ours = await api(app, 'POST', url, {
      auth: acct.auth,
      body: { organization: { name: 'Mine Co', external_id: 'shared-ext' } },
    });
    const theirs = await api(app, 'POST', url, {
      auth: other.auth,
      body: { organization: { name: 'Theirs Co', external_id: 'shared-ext' } },
    });
    assert.equal(theirs.status, 201);
    assert.notEqual(theirs.body.organization.id, ours.body.organization.id);
    const check = await api(app, 'GET', `/api/v2/organizations/${ours.body.organization.id}.json`, {
      auth: acct.auth,
    });
    assert.equal(check.body.organization.name, 'Mine Co');
  });
});

describe('GET /api/v2/organizations/:id/users', () => {
  test('lists the users of the organization, both pagination styles', async () => {
    const org = (await createOrg({ name: 'Staffed' })).body.organization;
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const res = await api(app, 'POST', '/api/v2/users.json', {
        auth: acct.auth,
        body: { user: { name: `Member ${n}`, email: `member${n}@staffed.test`, organization_id: org.id } },
      });
      ids.push(res.body.user.id);
    }
    await acct.createUser('Outsider', 'outsider@staffed.test', 'end-user');
    const offset = await api(app, 'GET', `/api/v2/organizations/${org.id}/users.json?per_page=2`, {
      auth: agentAuth,
    });
    assert.equal(offset.status, 200);
    assert.equal(offset.body.count, 3);
    assert.deepEqual(
      offset.body.users.map((u: any) => u.id),
      ids.slice(0, 2),
    );
    assert.equal(offset.body.users[0].email, 'member1@staffed.test');
    assert.equal(offset.body.users[0].organization_id, org.id);
    assert.match(offset.body.next_page, new RegExp(`/api/v2/organizations/${org.id}/users\\.json\\?`));

    const cursor = await api(app, 'GET', `/api/v2/organizations/${org.id}/users.json?page%5Bsize%5D=3`, {
      auth: agentAuth,
    });
    assert.deepEqual(
      cursor.body.users.map((u: any) => u.id),
      ids,
    );
    assert.equal(cursor.body.meta.has_more, false);
    assert.equal(cursor.body.links.next, null);

    assert.equal(
      (await api(app, 'GET', `/api/v2/organizations/${org.id}/users.json`, { auth: other.auth })).status,
      404,
    );
    assert.equal(
      (await api(app, 'GET', `/api/v2/organizations/${org.id}/users.json`, { auth: endUserAuth })).status,
      403,
    );
  });
});

describe('DELETE /api/v2/organizations/:id', () => {
  test("204, users' organization_id becomes null, organization.deleted appended", async () => {
    const org = (await createOrg({ name: 'Short Lived' })).body.organization;
    const user = await api(app, 'POST', '/api/v2/users.json', {
      auth: acct.auth,
      body: { user: { name: 'Left Behind', email: 'left@short.test', organization_id: org.id } },
    });
    assert.equal(user.body.user.organization_id, org.id);

    assert.equal(
      (await api(app, 'DELETE', `/api/v2/organizations/${org.id}.json`, { auth: agentAuth })).status,
      403,
    );
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/organizations/${org.id}.json`, { auth: other.auth })).status,
      404,
    );

    const res = await api(app, 'DELETE', `/api/v2/organizations/${org.id}.json`, {
      auth: acct.auth,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(
      (await api(app, 'GET', `/api/v2/organizations/${org.id}.json`, { auth: acct.auth })).status,
      404,
    );
    const after = await api(app, 'GET', `/api/v2/users/${user.body.user.id}.json`, { auth: acct.auth });
    assert.equal(after.body.user.organization_id, null);
    const events = await eventsFor('organization.deleted', org.id);
    assert.equal(events.length, 1);
    assert.equal((events[0]!.payload as any).detached_users, 1);

    const again = await api(app, 'DELETE', `/api/v2/organizations/${org.id}.json`, { auth: acct.auth });
    assert.equal(again.status, 404);
    assert.equal(again.body.error, 'RecordNotFound');
  });

  test('a deleted name can be used again', async () => {
    const org = (await createOrg({ name: 'Phoenix' })).body.organization;
    await api(app, 'DELETE', `/api/v2/organizations/${org.id}.json`, { auth: acct.auth });
    assert.equal((await createOrg({ name: 'Phoenix' })).status, 201);
  });
});

describe('authentication styles', () => {
  test('email:password Basic works for reads', async () => {
    const res = await api(app, 'GET', '/api/v2/organizations/count.json', {
      auth: basic(acct.adminEmail, acct.adminPassword),
      host: `${acct.subdomain}.haven.test`,
    });
    assert.equal(res.status, 200);
  });
});
