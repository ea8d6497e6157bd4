import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let agentAuth: string;
let endUserId: number;
let endUserAuth: string;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function createGroup(group: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'POST', '/api/v2/groups.json', { auth, body: { group } });
}

async function addMember(userId: number, groupId: number, auth = acct.auth) {
  return api(app, 'POST', '/api/v2/group_memberships.json', {
    auth,
    body: { group_membership: { user_id: userId, group_id: groupId } },
  });
}

async function rows(table: 'events' | 'audit_logs', accountId = acct.id) {
  return app.runtime.services.database.db
    .selectFrom(table)
    .selectAll()
    .where('account_id', '=', accountId)
    .execute();
}

async function eventsOf(type: string, subjectId: number) {
  return (await rows('events')).filter((e: any) => e.type === type && Number(e.subject_id) === subjectId);
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  agentId = (await acct.createUser('Agent Ada', 'ada@groups.test', 'agent')).id;
  endUserId = (await acct.createUser('Eve End', 'eve@groups.test', 'end-user')).id;
  agentAuth = acct.authAs('ada@groups.test');
  endUserAuth = acct.authAs('eve@groups.test');
});

after(async () => {
  await app?.close();
});

describe('groups', () => {
  test('POST creates (201 + Location); the first group is the default; group.created appended', async () => {
    const fresh = await app.createAccount();
    const first = await createGroup(
      { name: 'Support', description: 'Front line', is_public: false, default: false },
      fresh.auth,
    );
    assert.equal(first.status, 201, first.text);
    const g = first.body.group;
    assert.equal(first.headers.get('location'), g.url);
    assert.match(g.url, new RegExp(`/api/v2/groups/${g.id}\\.json$`));
    assert.equal(g.name, 'Support');
    assert.equal(g.description, 'Front line');
    assert.equal(g.is_public, false);
    assert.equal(g.deleted, false);
    assert.equal(g.default, true, 'the first group of an account is its default');
    assert.match(g.created_at, ISO);
    const second = await createGroup({ name: 'Billing', default: true }, fresh.auth);
    assert.equal(second.body.group.default, false, 'default is read-only');
    const events = (await rows('events', fresh.id)).filter((e: any) => e.type === 'group.created');
    assert.deepEqual(
      events.map((e: any) => Number(e.subject_id)).sort(),
      [g.id, second.body.group.id].sort(),
    );
  });

  test('validation: blank name and duplicate live name (any case) are 422', async () => {
    const blank = await createGroup({ description: 'nameless' });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.details.name[0].error, 'BlankValue');
    assert.equal((await createGroup({ name: 'Escalations' })).status, 201);
    const dup = await createGroup({ name: 'ESCALATIONS' });
    assert.equal(dup.status, 422);
    assert.equal(dup.body.error, 'RecordInvalid');
    assert.equal(dup.body.details.name[0].error, 'DuplicateValue');
    const foreignSameName = await createGroup({ name: 'Escalations' }, other.auth);
    assert.equal(foreignSameName.status, 201, 'names are unique per account only');
  });

  test('only admins create, update and delete; agents read; end-users nothing', async () => {
    const g = (await createGroup({ name: 'Guarded Group' })).body.group;
    assert.equal((await createGroup({ name: 'By Agent' }, agentAuth)).status, 403);
    const put = { group: { name: 'Hijacked' } };
    assert.equal(
      (await api(app, 'PUT', `/api/v2/groups/${g.id}.json`, { auth: agentAuth, body: put })).status,
      403,
    );
    assert.equal((await api(app, 'DELETE', `/api/v2/groups/${g.id}.json`, { auth: agentAuth })).status, 403);
    const read = await api(app, 'GET', `/api/v2/groups/${g.id}.json`, { auth: agentAuth });
    assert.equal(read.status, 200);
    assert.equal(read.body.group.name, 'Guarded Group');
    assert.equal((await api(app, 'GET', `/api/v2/groups/${g.id}.json`, { auth: endUserAuth })).status, 403);
    for (const path of [
      '/api/v2/groups.json',
      '/api/v2/groups/assignable.json',
      '/api/v2/groups/count.json',
    ]) {
      assert.equal((await api(app, 'GET', path, { auth: endUserAuth })).status, 403, path);
    }
  });

  test("another account's group is 404 on show, update, delete and memberships", async () => {
    const g = (await createGroup({ name: 'Private Group' })).body.group;
    for (const [method, path] of [
      ['GET', `/api/v2/groups/${g.id}.json`],
      ['PUT', `/api/v2/groups/${g.id}.json`],
      ['DELETE', `/api/v2/groups/${g.id}.json`],
      ['GET', `/api/v2/groups/${g.id}/memberships.json`],
    ] as const) {
      const res = await api(app, method, path, {
        auth: other.auth,
        body: method === 'PUT' ? { group: { name: 'x' } } : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error, 'RecordNotFound');
    }
    assert.equal(
      (await api(app, 'GET', `/api/v2/groups/${g.id}.json`, { auth: acct.auth })).body.group.name,
      'Private Group',
    );
  });

  test('PUT updates name/description/is_public; group.updated names the changed fields', async () => {
    const g = (await createGroup({ name: 'Old Name' })).body.group;
    await createGroup({ name: 'Occupied' });
    const clash = await api(app, 'PUT', `/api/v2/groups/${g.id}.json`, {
      auth: acct.auth,
      body: { group: { name: 'occupied' } },
    });
    assert.equal(clash.status, 422);
    assert.equal(clash.body.details.name[0].error, 'DuplicateValue');
    const blank = await api(app, 'PUT', `/api/v2/groups/${g.id}.json`, {
      auth: acct.auth,
      body: { group: { name: '  ' } },
    });
    assert.equal(blank.status, 422);
    assert.ok(blank.body.details.name);
    const res = await api(app, 'PUT', `/api/v2/groups/${g.id}.json`, {
      auth: acct.auth,
      body: { group: { name: 'New Name', description: 'Described', is_public: true } },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.group.name, 'New Name');
    assert.equal(res.body.group.description, 'Described');
    const events = await eventsOf('group.updated', g.id);
    assert.equal(events.length, 1);
    assert.deepEqual((events[0].payload as any).changes.sort(), ['description', 'name']);
  });

  test('list (both pagination styles), exclude_deleted, assignable and count', async () => {
    const fresh = await app.createAccount();
    const ids: number[] = [];
    for (const name of ['G1', 'G2', 'G3', 'G4'])
      ids.push((await createGroup({ name }, fresh.auth)).body.group.id);
    const gone = ids[1];
    assert.equal((await api(app, 'DELETE', `/api/v2/groups/${gone}.json`, { auth: fresh.auth })).status, 204);

    const offset = await api(app, 'GET', '/api/v2/groups.json?per_page=3', { auth: fresh.auth });
    assert.equal(offset.status, 200);
    assert.equal(offset.body.count, 4, 'deleted groups are listed, as Zendesk does');
    assert.deepEqual(
      offset.body.groups.map((g: any) => g.id),
      ids.slice(0, 3),
    );
    assert.equal(offset.body.groups[1].deleted, true);
    assert.equal(new URL(offset.body.next_page).searchParams.get('page'), '2');

    const seen: number[] = [];
    let path: string | null = '/api/v2/groups.json?page%5Bsize%5D=2&exclude_deleted=true';
    while (path) {
      const res: any = await api(app, 'GET', path, { auth: fresh.auth });
      seen.push(...res.body.groups.map((g: any) => g.id));
      if (!res.body.meta.has_more) assert.equal(res.body.links.next, null);
      else assert.match(res.body.links.next, /exclude_deleted=true/);
      path = res.body.meta.has_more ? res.body.links.next.replace(app.baseUrl, '') : null;
    }
    assert.deepEqual(seen, [ids[0], ids[2], ids[3]]);

    const assignable = await api(app, 'GET', '/api/v2/groups/assignable.json', { auth: fresh.auth });
    assert.deepEqual(
      assignable.body.groups.map((g: any) => g.id),
      [ids[0], ids[2], ids[3]],
    );
    const count = await api(app, 'GET', '/api/v2/groups/count.json', { auth: fresh.auth });
    assert.equal(count.body.count.value, 4);
    assert.match(count.body.count.refreshed_at, ISO);
    const live = await api(app, 'GET', '/api/v2/groups/count.json?exclude_deleted=true', {
      auth: fresh.auth,
    });
    assert.equal(live.body.count.value, 3);
  });

  test('DELETE soft-deletes: 404 afterwards, memberships removed, default passes on, name free again', async () => {
    const fresh = await app.createAccount();
    const agent = (await fresh.createUser('Del Agent', 'del-agent@groups.test', 'agent')).id;
    const first = (await createGroup({ name: 'Primary' }, fresh.auth)).body.group;
    const second = (await createGroup({ name: 'Secondary' }, fresh.auth)).body.group;
    const org = await api(app, 'POST', '/api/v2/organizations.json', {
      auth: fresh.auth,
      body: { organization: { name: 'Routed Org', group_id: first.id } },
    });
    const m = (await addMember(agent, first.id, fresh.auth)).body.group_membership;
    await addMember(agent, second.id, fresh.auth);

    const res = await api(app, 'DELETE', `/api/v2/groups/${first.id}.json`, { auth: fresh.auth });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(
      (await api(app, 'GET', `/api/v2/groups/${first.id}.json`, { auth: fresh.auth })).status,
      404,
    );
    const put = await api(app, 'PUT', `/api/v2/groups/${first.id}.json`, {
      auth: fresh.auth,
      body: { group: { name: 'Zombie' } },
    });
    assert.equal(put.status, 404);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/groups/${first.id}.json`, { auth: fresh.auth })).status,
      404,
    );
    assert.equal(
      (await api(app, 'GET', `/api/v2/group_memberships/${m.id}.json`, { auth: fresh.auth })).status,
      404,
    );

    const left = await api(app, 'GET', `/api/v2/users/${agent}/group_memberships.json`, { auth: fresh.auth });
    assert.deepEqual(
      left.body.group_memberships.map((x: any) => [x.group_id, x.default]),
      [[second.id, true]],
    );
    const user = await api(app, 'GET', `/api/v2/users/${agent}.json`, { auth: fresh.auth });
    assert.equal(user.body.user.default_group_id, second.id);
    const orgAfter = await api(app, 'GET', `/api/v2/organizations/${org.body.organization.id}.json`, {
      auth: fresh.auth,
    });
    assert.equal(orgAfter.body.organization.group_id, null);
    const groups = await api(app, 'GET', '/api/v2/groups.json', { auth: fresh.auth });
    const byId = new Map(groups.body.groups.map((g: any) => [g.id, g]));
    assert.equal((byId.get(first.id) as any).deleted, true);
    assert.equal((byId.get(first.id) as any).default, false);
    assert.equal((byId.get(second.id) as any).default, true, 'the default passes to the oldest live group');

    const events = (await rows('events', fresh.id)).map((e: any) => e.type);
    assert.ok(events.includes('group.deleted'));
    assert.ok(events.includes('group_membership.deleted'));
    const audit = (await rows('audit_logs', fresh.id)).filter(
      (a: any) => a.action === 'group_membership.deleted',
    );
    assert.equal(audit.length, 1);
    assert.equal(Number(audit[0].source_id), agent);

    assert.equal(
      (await createGroup({ name: 'primary' }, fresh.auth)).status,
      201,
      'a deleted name is free again',
    );
  });
});

describe('group memberships', () => {
  let support: any;
  let sales: any;
  before(async () => {
    support = (await createGroup({ name: 'M Support' })).body.group;
    sales = (await createGroup({ name: 'M Sales' })).body.group;
  });

  test('POST adds an agent (201); first membership becomes default; audited and event appended', async () => {
    const res = await addMember(agentId, support.id);
    assert.equal(res.status, 201, res.text);
    const m = res.body.group_membership;
    assert.equal(res.headers.get('location'), m.url);
    assert.match(m.url, new RegExp(`/api/v2/group_memberships/${m.id}\\.json$`));
    assert.equal(m.user_id, agentId);
    assert.equal(m.group_id, support.id);
    assert.equal(m.default, true);
    assert.match(m.created_at, ISO);
    const second = await addMember(agentId, sales.id);
    assert.equal(second.body.group_membership.default, false);

    const user = await api(app, 'GET', `/api/v2/users/${agentId}.json`, { auth: acct.auth });
    assert.equal(user.body.user.default_group_id, support.id);

    const events = await eventsOf('group_membership.created', m.id);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, { user_id: agentId, group_id: support.id });
    const audit = (await rows('audit_logs')).filter((a: any) => a.action === 'group_membership.created');
    assert.ok(audit.some((a: any) => Number(a.source_id) === agentId && Number(a.actor_id) === acct.adminId));
  });

  test('validation: end-users, unknown users, unknown or deleted groups, duplicates, missing fields', async () => {
    const endUser = await addMember(endUserId, support.id);
    assert.equal(endUser.status, 422);
    assert.equal(endUser.body.details.user_id[0].error, 'InvalidValue');

    const noUser = await addMember(99999999, support.id);
    assert.equal(noUser.status, 422);
    assert.ok(noUser.body.details.user_id);

    const noGroup = await addMember(agentId, 99999999);
    assert.equal(noGroup.status, 422);
    assert.ok(noGroup.body.details.group_id);

    const doomed = (await createGroup({ name: 'M Doomed' })).body.group;
    await api(app, 'DELETE', `/api/v2/groups/${doomed.id}.json`, { auth: acct.auth });
    const deleted = await addMember(agentId, doomed.id);
    assert.equal(deleted.status, 422);
    assert.ok(deleted.body.details.group_id);

    const dup = await addMember(agentId, support.id);
    assert.equal(dup.status, 422);
    assert.equal(dup.body.details.user_id[0].error, 'DuplicateValue');

    const missing = await api(app, 'POST', '/api/v2/group_memberships.json', {
      auth: acct.auth,
      body: { group_membership: { user_id: agentId } },
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.details.group_id[0].error, 'BlankValue');
  });

  test("another account's users and groups cannot be linked; its memberships are 404", async () => {
    const foreignAgent = (await other.createUser('Foreign Agent', 'foreign-agent@groups.test', 'agent')).id;
    const foreignGroup = (await createGroup({ name: 'Foreign M' }, other.auth)).body.group;
    assert.equal((await addMember(foreignAgent, support.id)).status, 422);
    assert.equal((await addMember(agentId, foreignGroup.id)).status, 422);
    const foreign = (await addMember(foreignAgent, foreignGroup.id, other.auth)).body.group_membership;
    assert.equal(
      (await api(app, 'GET', `/api/v2/group_memberships/${foreign.id}.json`, { auth: acct.auth })).status,
      404,
    );
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/group_memberships/${foreign.id}.json`, { auth: acct.auth })).status,
      404,
    );
    const mine = await api(app, 'GET', '/api/v2/group_memberships.json', { auth: acct.auth });
    assert.ok(mine.body.group_memberships.every((m: any) => m.id !== foreign.id));
  });

  test('agents read but may not add or remove', async () => {
    const list = await api(app, 'GET', '/api/v2/group_memberships.json', { auth: agentAuth });
    assert.equal(list.status, 200);
    assert.equal((await addMember(agentId, support.id, agentAuth)).status, 403);
    const id = list.body.group_memberships[0].id;
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/group_memberships/${id}.json`, { auth: agentAuth })).status,
      403,
    );
    assert.equal(
      (await api(app, 'GET', '/api/v2/group_memberships.json', { auth: endUserAuth })).status,
      403,
    );
  });

  test('list with include=users,groups side-loads exactly the related records; cursor pagination', async () => {
    const fresh = await app.createAccount();
    const a1 = (await fresh.createUser('Side A', 'side-a@groups.test', 'agent')).id;
    const a2 = (await fresh.createUser('Side B', 'side-b@groups.test', 'agent')).id;
    await fresh.createUser('Side C', 'side-c@groups.test', 'agent');
    const g1 = (await createGroup({ name: 'S1' }, fresh.auth)).body.group;
    const g2 = (await createGroup({ name: 'S2' }, fresh.auth)).body.group;
    await createGroup({ name: 'S3 unused' }, fresh.auth);
    const ids = [
      (await addMember(a1, g1.id, fresh.auth)).body.group_membership.id,
      (await addMember(a2, g1.id, fresh.auth)).body.group_membership.id,
      (await addMember(a1, g2.id, fresh.auth)).body.group_membership.id,
    ];

    const res = await api(app, 'GET', '/api/v2/group_memberships.json?include=users%2Cgroups', {
      auth: fresh.auth,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.group_memberships.map((m: any) => m.id),
      ids,
    );
    assert.deepEqual(res.body.users.map((u: any) => u.id).sort(), [a1, a2].sort());
    assert.equal(res.body.users.find((u: any) => u.id === a1).email, 'side-a@groups.test');
    assert.deepEqual(res.body.groups.map((g: any) => g.id).sort(), [g1.id, g2.id].sort());
    const plain = await api(app, 'GET', '/api/v2/group_memberships.json', { auth: fresh.auth });
    assert.ok(!('users' in plain.body) && !('groups' in plain.body));

    const page1 = await api(app, 'GET', '/api/v2/group_memberships.json?page%5Bsize%5D=2&include=users', {
      auth: fresh.auth,
    });
    assert.deepEqual(
      page1.body.group_memberships.map((m: any) => m.id),
      ids.slice(0, 2),
    );
    assert.equal(page1.body.meta.has_more, true);
    assert.deepEqual(page1.body.users.map((u: any) => u.id).sort(), [a1, a2].sort());
    const page2 = await api(app, 'GET', page1.body.links.next.replace(app.baseUrl, ''), { auth: fresh.auth });
    assert.deepEqual(
      page2.body.group_memberships.map((m: any) => m.id),
      ids.slice(2),
    );
    assert.equal(page2.body.meta.has_more, false);
    assert.equal(page2.body.links.next, null);
    assert.deepEqual(
      page2.body.users.map((u: any) => u.id),
      [a1],
      'include survives into links.next',
    );

    const offset = await api(app, 'GET', '/api/v2/group_memberships.json?per_page=2', { auth: fresh.auth });
    assert.equal(offset.body.count, 3);
    assert.match(offset.body.next_page, /^http:\/\/.*page=2/);

    const byGroup = await api(app, 'GET', `/api/v2/groups/${g1.id}/memberships.json?include=groups`, {
      auth: fresh.auth,
    });
    assert.equal(byGroup.status, 200);
    assert.deepEqual(
      byGroup.body.group_memberships.map((m: any) => m.id),
      ids.slice(0, 2),
    );
    assert.deepEqual(
      byGroup.body.groups.map((g: any) => g.id),
      [g1.id],
    );
    const cursor = await api(app, 'GET', `/api/v2/groups/${g1.id}/memberships.json?page%5Bsize%5D=1`, {
      auth: fresh.auth,
    });
    assert.equal(cursor.body.group_memberships.length, 1);
    assert.equal(cursor.body.meta.has_more, true);

    const show = await api(app, 'GET', `/api/v2/group_memberships/${ids[1]}.json?include=users`, {
      auth: fresh.auth,
    });
    assert.equal(show.status, 200);
    assert.equal(show.body.group_membership.user_id, a2);
    assert.deepEqual(
      show.body.users.map((u: any) => u.id),
      [a2],
    );
  });

  test('make_default switches the default and users.default_group_id; agents only for themselves', async () => {
    const fresh = await app.createAccount();
    const agent = (await fresh.createUser('Default Agent', 'default-agent@groups.test', 'agent')).id;
    const peer = (await fresh.createUser('Peer Agent', 'peer-agent@groups.test', 'agent')).id;
    const g1 = (await createGroup({ name: 'D1' }, fresh.auth)).body.group;
    const g2 = (await createGroup({ name: 'D2' }, fresh.auth)).body.group;
    const m1 = (await addMember(agent, g1.id, fresh.auth)).body.group_membership;
    const m2 = (await addMember(agent, g2.id, fresh.auth)).body.group_membership;
    const peerM = (await addMember(peer, g1.id, fresh.auth)).body.group_membership;
    const agentOwn = fresh.authAs('default-agent@groups.test');

    const res = await api(app, 'PUT', `/api/v2/users/${agent}/group_memberships/${m2.id}/make_default.json`, {
      auth: agentOwn,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.group_memberships.map((m: any) => [m.id, m.default]),
      [
        [m1.id, false],
        [m2.id, true],
      ],
    );
    const user = await api(app, 'GET', `/api/v2/users/${agent}.json`, { auth: fresh.auth });
    assert.equal(user.body.user.default_group_id, g2.id);
    const updated = (await rows('events', fresh.id)).filter(
      (e: any) => e.type === 'group_membership.updated',
    );
    assert.deepEqual(
      updated.map((e: any) => Number(e.subject_id)),
      [m2.id],
    );

    const forPeer = await api(
      app,
      'PUT',
      `/api/v2/users/${peer}/group_memberships/${peerM.id}/make_default.json`,
      {
        auth: agentOwn,
      },
    );
    assert.equal(forPeer.status, 403);
    const mismatched = await api(
      app,
      'PUT',
      `/api/v2/users/${peer}/group_memberships/${m1.id}/make_default.json`,
      {
        auth: fresh.auth,
      },
    );
    assert.equal(mismatched.status, 404, "a membership is found only under its own user's path");
    const cross = await api(
      app,
      'PUT',
      `/api/v2/users/${agent}/group_memberships/${m1.id}/make_default.json`,
      {
        auth: other.auth,
      },
    );
    assert.equal(cross.status, 404);
  });

  test('DELETE removes (204), audits, appends group_membership.deleted, and promotes the next default', async () => {
    const fresh = await app.createAccount();
    const agent = (await fresh.createUser('Leaving Agent', 'leaving@groups.test', 'agent')).id;
    const g1 = (await createGroup({ name: 'L1' }, fresh.auth)).body.group;
    const g2 = (await createGroup({ name: 'L2' }, fresh.auth)).body.group;
    const m1 = (await addMember(agent, g1.id, fresh.auth)).body.group_membership;
    const m2 = (await addMember(agent, g2.id, fresh.auth)).body.group_membership;
    assert.equal(m1.default, true);

    const res = await api(app, 'DELETE', `/api/v2/group_memberships/${m1.id}.json`, { auth: fresh.auth });
    assert.equal(res.status, 204);
    assert.equal(
      (await api(app, 'GET', `/api/v2/group_memberships/${m1.id}.json`, { auth: fresh.auth })).status,
      404,
    );
    const shown = await api(app, 'GET', `/api/v2/group_memberships/${m2.id}.json`, { auth: fresh.auth });
    assert.equal(shown.body.group_membership.default, true);
    let user = await api(app, 'GET', `/api/v2/users/${agent}.json`, { auth: fresh.auth });
    assert.equal(user.body.user.default_group_id, g2.id);

    const events = (await rows('events', fresh.id)).filter((e: any) => e.type === 'group_membership.deleted');
    assert.deepEqual(
      events.map((e: any) => [Number(e.subject_id), e.payload]),
      [[m1.id, { user_id: agent, group_id: g1.id }]],
    );
    const audit = (await rows('audit_logs', fresh.id)).filter(
      (a: any) => a.action === 'group_membership.deleted',
    );
    assert.equal(audit.length, 1);
    assert.equal(Number(audit[0].source_id), agent);
    assert.match(audit[0].change_description, /L1/);

    await api(app, 'DELETE', `/api/v2/group_memberships/${m2.id}.json`, { auth: fresh.auth });
    user = await api(app, 'GET', `/api/v2/users/${agent}.json`, { auth: fresh.auth });
    assert.equal(user.body.user.default_group_id, null);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/group_memberships/${m2.id}.json`, { auth: fresh.auth })).status,
      404,
    );
  });
});
