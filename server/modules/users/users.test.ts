import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, basic, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acme: TestAccount;
let other: TestAccount;

before(async () => {
  app = await startTestApp();
  acme = await app.createAccount('acme');
  other = await app.createAccount('other');
});
after(() => app.close());

async function createUser(account: TestAccount, user: Record<string, unknown>, auth = account.auth) {
  return api(app, 'POST', '/api/v2/users.json', { auth, body: { user } });
}

describe('users API', () => {
  it('GET /users/me answers the token user in Zendesk shape', async () => {
    const res = await api(app, 'GET', '/api/v2/users/me.json', { auth: acme.auth });
    assert.equal(res.status, 200);
    const u = res.body.user;
    assert.equal(u.id, acme.adminId);
    assert.equal(u.email, acme.adminEmail);
    assert.equal(u.role, 'admin');
    assert.equal(u.url, `${app.baseUrl}/api/v2/users/${acme.adminId}.json`);
    assert.match(u.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal('password_hash' in u, false);
    assert.equal(res.headers.get('retry-after'), null);
  });

  it('/users/me presents exactly what GET /users/:id does, however the caller signed in', async () => {
    const shown = await api(app, 'GET', `/api/v2/users/${acme.adminId}.json`, { auth: acme.auth });
    const viaToken = await api(app, 'GET', '/api/v2/users/me.json', { auth: acme.auth });
    const viaPassword = await api(app, 'GET', '/api/v2/users/me.json', {
      auth: basic(acme.adminEmail, acme.adminPassword),
      host: 'acme.haven.test',
    });
    assert.deepEqual(viaToken.body.user, shown.body.user);
    assert.deepEqual({ ...viaPassword.body.user, url: shown.body.user.url }, shown.body.user);
  });

  it('wrong credentials are 401 with the Zendesk body', async () => {
    for (const auth of [
      basic(`${acme.adminEmail}/token`, 'nope'),
      basic(acme.adminEmail, 'wrong password'),
      'Bearer nope',
      basic(`someone@else.test/token`, acme.token),
    ]) {
      const res = await api(app, 'GET', '/api/v2/users/me.json', { auth });
      assert.equal(res.status, 401, auth);
      assert.equal(res.body.error, "Couldn't authenticate you");
    }
    assert.equal((await api(app, 'GET', '/api/v2/users/me.json')).status, 401);
  });

  it('Basic email:password works for the admin', async () => {
    const res = await api(app, 'GET', '/api/v2/users/me.json', {
      auth: basic(acme.adminEmail, acme.adminPassword),
      host: 'acme.haven.test',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, acme.adminId);
  });

  it('creates an end-user by default, with 201 and Location', async () => {
    const res = await createUser(acme, {
      name: 'Jane Customer',
      email: 'jane@customer.test',
      phone: '+1 555 0100',
      tags: ['VIP', 'vip'],
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.user.role, 'end-user');
    assert.equal(res.body.user.email, 'jane@customer.test');
    assert.deepEqual(res.body.user.tags, ['vip']);
    assert.equal(res.headers.get('location'), res.body.user.url);
    const shown = await api(app, 'GET', `/api/v2/users/${res.body.user.id}`, { auth: acme.auth });
    assert.equal(shown.body.user.name, 'Jane Customer');
  });

  it('rejects bad input with 422 details and keeps what was stored', async () => {
    const missing = await createUser(acme, { email: 'noname@customer.test' });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error, 'RecordInvalid');
    assert.ok(missing.body.details.name);
    const badEmail = await createUser(acme, { name: 'X', email: 'not-an-email' });
    assert.equal(badEmail.status, 422);
    assert.ok(badEmail.body.details.email);
    const badRole = await createUser(acme, { name: 'X', role: 'owner' });
    assert.equal(badRole.status, 422);
    const dup = await createUser(acme, { name: 'Jane Again', email: 'JANE@customer.test' });
    assert.equal(dup.status, 422);
    assert.equal(dup.body.details.email[0].error, 'DuplicateValue');
    const search = await api(app, 'GET', '/api/v2/users/search.json?query=email:jane@customer.test', {
      auth: acme.auth,
    });
    assert.equal(search.body.count, 1);
    assert.equal(search.body.users[0].name, 'Jane Customer');
    const badOrg = await createUser(acme, { name: 'Y', organization_id: 999999 });
    assert.equal(badOrg.status, 422);
    assert.ok(badOrg.body.details.organization_id);
  });

  it('the same email may live in two accounts', async () => {
    const res = await createUser(other, { name: 'Jane Elsewhere', email: 'jane@customer.test' });
    assert.equal(res.status, 201);
  });

  it('lists with role filters and both pagination styles', async () => {
    for (let i = 0; i < 3; i++)
      await createUser(acme, { name: `Agent ${i}`, email: `agent${i}@acme.test`, role: 'agent' });
    const agents = await api(app, 'GET', '/api/v2/users.json?role=agent', { auth: acme.auth });
    assert.equal(agents.body.count, 3);
    assert.ok(agents.body.users.every((u: any) => u.role === 'agent'));
    const staff = await api(app, 'GET', '/api/v2/users.json?role%5B%5D=agent&role%5B%5D=admin', {
      auth: acme.auth,
    });
    assert.equal(staff.body.count, 4);

    const seen: number[] = [];
    let next: string | null = `/api/v2/users.json?page%5Bsize%5D=2`;
    while (next) {
      const res: any = await api(app, 'GET', next.replace(app.baseUrl, ''), { auth: acme.auth });
      assert.equal(res.status, 200);
      seen.push(...res.body.users.map((u: any) => u.id));
      next = res.body.links.next;
      if (!next) assert.equal(res.body.meta.has_more, false);
    }
    const all = await api(app, 'GET', '/api/v2/users.json?per_page=100', { auth: acme.auth });
    assert.deepEqual(
      seen,
      all.body.users.map((u: any) => u.id),
    );
    assert.equal(new Set(seen).size, seen.length);

    const page1 = await api(app, 'GET', '/api/v2/users.json?per_page=2', { auth: acme.auth });
    assert.equal(page1.body.users.length, 2);
    assert.equal(page1.body.previous_page, null);
    assert.ok(page1.body.next_page.startsWith(`${app.baseUrl}/api/v2/users.json?`));
    const page2 = await api(app, 'GET', page1.body.next_page.replace(app.baseUrl, ''), { auth: acme.auth });
    assert.notEqual(page2.body.users[0].id, page1.body.users[0].id);
  });

  it('show_many, search and create_or_update', async () => {
    const a = await createUser(acme, { name: 'Ann', email: 'ann@c.test', external_id: 'ext-ann' });
    const b = await createUser(acme, { name: 'Bob', email: 'bob@c.test' });
    const many = await api(
      app,
      'GET',
      `/api/v2/users/show_many.json?ids=${a.body.user.id}%2C${b.body.user.id}`,
      { auth: acme.auth },
    );
    assert.deepEqual(
      many.body.users.map((u: any) => u.name),
      ['Ann', 'Bob'],
    );
    const byExt = await api(app, 'GET', '/api/v2/users/search.json?external_id=ext-ann', { auth: acme.auth });
    assert.equal(byExt.body.users[0].id, a.body.user.id);
    const free = await api(app, 'GET', '/api/v2/users/search.json?query=bob', { auth: acme.auth });
    assert.deepEqual(
      free.body.users.map((u: any) => u.name),
      ['Bob'],
    );
    const unsupported = await api(app, 'GET', '/api/v2/users/search.json?query=shoe_size:9', {
      auth: acme.auth,
    });
    assert.equal(unsupported.status, 422);

    const updated = await api(app, 'POST', '/api/v2/users/create_or_update.json', {
      auth: acme.auth,
      body: { user: { email: 'ann@c.test', name: 'Ann Updated' } },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.user.id, a.body.user.id);
    assert.equal(updated.body.user.name, 'Ann Updated');
    const created = await api(app, 'POST', '/api/v2/users/create_or_update.json', {
      auth: acme.auth,
      body: { user: { email: 'new@c.test', name: 'New' } },
    });
    assert.equal(created.status, 201);
  });

  it('updates, changes email and role, and deletes (soft)', async () => {
    const u = (await createUser(acme, { name: 'Carl', email: 'carl@c.test' })).body.user;
    const up = await api(app, 'PUT', `/api/v2/users/${u.id}.json`, {
      auth: acme.auth,
      body: { user: { name: 'Carl B', email: 'carl.b@c.test', role: 'agent' } },
    });
    assert.equal(up.status, 200);
    assert.equal(up.body.user.email, 'carl.b@c.test');
    assert.equal(up.body.user.role, 'agent');
    const identities = await api(app, 'GET', `/api/v2/users/${u.id}/identities.json`, { auth: acme.auth });
    assert.deepEqual(identities.body.identities.map((i: any) => [i.value, i.primary]).sort(), [
      ['carl.b@c.test', true],
      ['carl@c.test', false],
    ]);
    const audit = await api(app, 'GET', '/api/v2/audit_logs.json?filter%5Baction%5D=user.role_changed', {
      auth: acme.auth,
    });
    assert.ok(audit.body.audit_logs.some((a: any) => a.source_id === u.id));

    const del = await api(app, 'DELETE', `/api/v2/users/${u.id}.json`, { auth: acme.auth });
    assert.equal(del.status, 200);
    assert.equal(del.body.user.active, false);
    assert.equal((await api(app, 'GET', `/api/v2/users/${u.id}.json`, { auth: acme.auth })).status, 404);
    const selfDelete = await api(app, 'DELETE', `/api/v2/users/${acme.adminId}.json`, { auth: acme.auth });
    assert.equal(selfDelete.status, 403);
  });

  it('the last admin cannot be demoted', async () => {
    const res = await api(app, 'PUT', `/api/v2/users/${other.adminId}.json`, {
      auth: other.auth,
      body: { user: { role: 'agent' } },
    });
    assert.equal(res.status, 422);
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: other.auth })).body.user.role,
      'admin',
    );
  });

  it('agents manage end-users but not staff; end-users see only themselves', async () => {
    await createUser(acme, { name: 'Agent Smith', email: 'smith@acme.test', role: 'agent' });
    await createUser(acme, { name: 'Eve End', email: 'eve@end.test' });
    const agent = acme.authAs('smith@acme.test');
    const endUser = acme.authAs('eve@end.test');

    assert.equal((await createUser(acme, { name: 'C1', email: 'c1@end.test' }, agent)).status, 201);
    assert.equal((await createUser(acme, { name: 'A2', role: 'admin' }, agent)).status, 403);
    assert.equal(
      (
        await api(app, 'PUT', `/api/v2/users/${acme.adminId}.json`, {
          auth: agent,
          body: { user: { name: 'x' } },
        })
      ).status,
      403,
    );
    assert.equal((await api(app, 'GET', '/api/v2/audit_logs.json', { auth: agent })).status, 403);

    const me = await api(app, 'GET', '/api/v2/users/me.json', { auth: endUser });
    assert.equal(me.body.user.role, 'end-user');
    assert.equal((await api(app, 'GET', '/api/v2/users.json', { auth: endUser })).status, 403);
    assert.equal(
      (await api(app, 'GET', `/api/v2/users/${acme.adminId}.json`, { auth: endUser })).status,
      404,
    );
    const renamed = await api(app, 'PUT', `/api/v2/users/${me.body.user.id}.json`, {
      auth: endUser,
      body: { user: { name: 'Eve Renamed' } },
    });
    assert.equal(renamed.status, 200);
    const escalate = await api(app, 'PUT', `/api/v2/users/${me.body.user.id}.json`, {
      auth: endUser,
      body: { user: { role: 'admin' } },
    });
    assert.equal(escalate.status, 403);
  });

  it("another account's users are 404, and lists never show them", async () => {
    const mine = (await createUser(acme, { name: 'Private Person', email: 'private@acme-only.test' })).body
      .user;
    for (const [method, path] of [
      ['GET', `/api/v2/users/${mine.id}.json`],
      ['PUT', `/api/v2/users/${mine.id}.json`],
      ['DELETE', `/api/v2/users/${mine.id}.json`],
      ['GET', `/api/v2/users/${mine.id}/identities.json`],
    ] as const) {
      const res = await api(app, method, path, {
        auth: other.auth,
        body: method === 'PUT' ? { user: { name: 'hijack' } } : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error, 'RecordNotFound');
    }
    const many = await api(app, 'GET', `/api/v2/users/show_many.json?ids=${mine.id}`, { auth: other.auth });
    assert.deepEqual(many.body.users, []);
    const list = await api(app, 'GET', '/api/v2/users.json', { auth: other.auth });
    assert.ok(!list.text.includes('private@acme-only.test'));
    const stillThere = await api(app, 'GET', `/api/v2/users/${mine.id}.json`, { auth: acme.auth });
    assert.equal(stillThere.body.user.name, 'Private Person');
  });

  it('passwords: admins set them, users change their own with the previous one', async () => {
    const agent = (await createUser(acme, { name: 'Pat', email: 'pat@acme.test', role: 'agent' })).body.user;
    const set = await api(app, 'POST', `/api/v2/users/${agent.id}/password.json`, {
      auth: acme.auth,
      body: { password: 'first password 123' },
    });
    assert.equal(set.status, 200);
    const patAuth = basic('pat@acme.test', 'first password 123');
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: patAuth, host: 'acme.haven.test' })).status,
      200,
    );
    const wrong = await api(app, 'PUT', `/api/v2/users/${agent.id}/password.json`, {
      auth: patAuth,
      host: 'acme.haven.test',
      body: { password: 'second password 123', previous_password: 'nope' },
    });
    assert.equal(wrong.status, 422);
    const short = await api(app, 'PUT', `/api/v2/users/${agent.id}/password.json`, {
      auth: patAuth,
      host: 'acme.haven.test',
      body: { password: 'short', previous_password: 'first password 123' },
    });
    assert.equal(short.status, 422);
    const ok = await api(app, 'PUT', `/api/v2/users/${agent.id}/password.json`, {
      auth: patAuth,
      host: 'acme.haven.test',
      body: { password: 'second password 123', previous_password: 'first password 123' },
    });
    assert.equal(ok.status, 200);
    assert.equal(
      (
        await api(app, 'GET', '/api/v2/users/me.json', {
          auth: basic('pat@acme.test', 'second password 123'),
          host: 'acme.haven.test',
        })
      ).status,
      200,
    );
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: patAuth, host: 'acme.haven.test' })).status,
      401,
    );
  });

  it('appends user events to the outbox in the same transaction', async () => {
    const u = (await createUser(acme, { name: 'Evented', email: 'evented@c.test' })).body.user;
    const rows = await app.runtime.services.database.db
      .selectFrom('events')
      .selectAll()
      .where('subject_id', '=', u.id)
      .where('type', '=', 'user.created')
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.account_id, acme.id);
    assert.equal(JSON.stringify(rows[0]!.payload).includes('evented@c.test'), false);
  });

  it('side-loads identities', async () => {
    const res = await api(app, 'GET', `/api/v2/users/${acme.adminId}.json?include=identities`, {
      auth: acme.auth,
    });
    assert.equal(res.body.identities[0].value, acme.adminEmail);
  });
});

describe('default group', () => {
  it('must be one of the agent’s groups, and moves the default membership', async () => {
    const agent = (await createUser(acme, { name: 'Grouped', email: 'grouped@acme.test', role: 'agent' }))
      .body.user;
    const g1 = (
      await api(app, 'POST', '/api/v2/groups.json', { auth: acme.auth, body: { group: { name: 'Tier 1' } } })
    ).body.group;
    const g2 = (
      await api(app, 'POST', '/api/v2/groups.json', { auth: acme.auth, body: { group: { name: 'Tier 2' } } })
    ).body.group;
    const notMember = await api(app, 'PUT', `/api/v2/users/${agent.id}.json`, {
      auth: acme.auth,
      body: { user: { default_group_id: g2.id } },
    });
    assert.equal(notMember.status, 422);
    for (const g of [g1, g2]) {
      const m = await api(app, 'POST', '/api/v2/group_memberships.json', {
        auth: acme.auth,
        body: { group_membership: { user_id: agent.id, group_id: g.id } },
      });
      assert.equal(m.status, 201);
    }
    const moved = await api(app, 'PUT', `/api/v2/users/${agent.id}.json`, {
      auth: acme.auth,
      body: { user: { default_group_id: g2.id } },
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.user.default_group_id, g2.id);
    const memberships = await api(app, 'GET', `/api/v2/users/${agent.id}/group_memberships.json`, {
      auth: acme.auth,
    });
    const defaults = memberships.body.group_memberships
      .filter((m: any) => m.default)
      .map((m: any) => m.group_id);
    assert.deepEqual(defaults, [g2.id]);
  });
});

describe('identities', () => {
  it('adds, promotes and deletes identities, keeping one primary per type', async () => {
    const user = (await createUser(acme, { name: 'Ida', email: 'ida@first.test' })).body.user;
    const path = `/api/v2/users/${user.id}/identities`;
    const added = await api(app, 'POST', `${path}.json`, {
      auth: acme.auth,
      body: { identity: { type: 'email', value: 'ida@second.test' } },
    });
    assert.equal(added.status, 201);
    assert.equal(added.body.identity.primary, false);
    const phone = await api(app, 'POST', `${path}.json`, {
      auth: acme.auth,
      body: { identity: { type: 'phone_number', value: '+1 555 0199' } },
    });
    assert.equal(phone.body.identity.primary, true, 'the first phone number is primary');
    const taken = await api(app, 'POST', `${path}.json`, {
      auth: acme.auth,
      body: { identity: { type: 'email', value: 'IDA@first.test' } },
    });
    assert.equal(taken.status, 422);

    const promoted = await api(app, 'PUT', `${path}/${added.body.identity.id}/make_primary.json`, {
      auth: acme.auth,
    });
    assert.equal(promoted.status, 200);
    const primaries = promoted.body.identities.filter((i: any) => i.type === 'email' && i.primary);
    assert.deepEqual(
      primaries.map((i: any) => i.value),
      ['ida@second.test'],
    );
    const shown = await api(app, 'GET', `/api/v2/users/${user.id}.json`, { auth: acme.auth });
    assert.equal(shown.body.user.email, 'ida@second.test');

    const old = promoted.body.identities.find((i: any) => i.value === 'ida@first.test');
    const primaryDelete = await api(app, 'DELETE', `${path}/${added.body.identity.id}.json`, {
      auth: acme.auth,
    });
    assert.equal(primaryDelete.status, 422);
    assert.equal((await api(app, 'DELETE', `${path}/${old.id}.json`, { auth: acme.auth })).status, 204);
    const left = await api(app, 'GET', `${path}.json`, { auth: acme.auth });
    assert.deepEqual(left.body.identities.map((i: any) => i.value).sort(), [
      '+1 555 0199',
      'ida@second.test',
    ]);

    const events = await app.runtime.services.database.db
      .selectFrom('events')
      .select('payload')
      .where('subject_id', '=', user.id)
      .where('type', '=', 'user.updated')
      .execute();
    assert.equal(events.length, 4, 'add email, add phone, make primary, delete');
  });
});

describe('leaving the staff', () => {
  it('demotion and deletion remove group memberships as audited, announced removals', async () => {
    const group = (
      await api(app, 'POST', '/api/v2/groups.json', { auth: acme.auth, body: { group: { name: 'Leavers' } } })
    ).body.group;
    const demoted = await acme.createUser('Demoted Dan', 'dan@acme.test', 'agent');
    const deleted = await acme.createUser('Deleted Deb', 'deb@acme.test', 'agent');
    for (const user of [demoted, deleted]) {
      const m = await api(app, 'POST', '/api/v2/group_memberships.json', {
        auth: acme.auth,
        body: { group_membership: { user_id: user.id, group_id: group.id } },
      });
      assert.equal(m.status, 201);
    }
    const down = await api(app, 'PUT', `/api/v2/users/${demoted.id}.json`, {
      auth: acme.auth,
      body: { user: { role: 'end-user' } },
    });
    assert.equal(down.body.user.default_group_id, null);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/users/${deleted.id}.json`, { auth: acme.auth })).status,
      200,
    );

    const left = await api(app, 'GET', `/api/v2/groups/${group.id}/memberships.json`, { auth: acme.auth });
    assert.deepEqual(left.body.group_memberships, []);
    const db = app.runtime.services.database.db;
    for (const user of [demoted, deleted]) {
      const events = await db
        .selectFrom('events')
        .select('payload')
        .where('type', '=', 'group_membership.deleted')
        .where('account_id', '=', acme.id)
        .execute();
      assert.ok(
        events.some((e) => (e.payload as any).user_id === user.id),
        `no membership removal event for ${user.name}`,
      );
      const audit = await api(
        app,
        'GET',
        `/api/v2/audit_logs.json?filter%5Baction%5D=group_membership.deleted&filter%5Bsource_id%5D=${user.id}`,
        {
          auth: acme.auth,
        },
      );
      assert.equal(audit.body.audit_logs.length, 1, `audit entries for ${user.name}`);
    }
  });
});
