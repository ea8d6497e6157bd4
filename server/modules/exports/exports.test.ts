import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { sql } from '../../platform/db/tenant-db.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let customerId: number;

/** A moment in the past that the test pins change times to, so that many rows share one timestamp. */
const T0 = Date.UTC(2021, 2, 1) / 1000;

async function get(path: string, auth = acct.auth) {
  const res = await api(app, 'GET', path, { auth });
  return res;
}
/** The path and query of an absolute URL the API returned, to call it through the test client. */
const local = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};
async function newTicket(subject: string, extra: Record<string, unknown> = {}) {
  const res = await api(app, 'POST', '/api/v2/tickets.json', {
    auth: acct.auth,
    body: { ticket: { subject, comment: { body: `About ${subject}` }, requester_id: customerId, ...extra } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket.id as number;
}
/** Sets change times exactly (to the microsecond), as a burst of writes within one instant would leave them. */
async function pin(table: 'tickets' | 'users' | 'organizations', ids: number[], at: string) {
  const db = app.runtime.services.tenantDb(acct.id);
  await db
    .updateTable(table)
    .set({ updated_at: sql<Date>`${at}::timestamptz` })
    .where('id', 'in', ids)
    .execute();
}

/** Follows a time-based export to end_of_stream; fails if it does not get there. */
async function walkTime(path: string, key: string) {
  const pages: any[] = [];
  let next = path;
  for (let i = 0; i < 50; i++) {
    const res = await get(next);
    assert.equal(res.status, 200, `${next}: ${res.text}`);
    assert.equal(res.body.count, res.body[key].length);
    pages.push(res.body);
    if (res.body.end_of_stream) return pages;
    next = local(res.body.next_page);
  }
  assert.fail(`${path} did not reach end_of_stream`);
}

/** Follows a cursor-based export to end_of_stream. */
async function walkCursor(path: string, key: string) {
  const pages: any[] = [];
  let next = path;
  for (let i = 0; i < 50; i++) {
    const res = await get(next);
    assert.equal(res.status, 200, `${next}: ${res.text}`);
    assert.equal(res.body.before_cursor, null);
    assert.equal(res.body.before_url, null);
    assert.ok(res.body.after_cursor);
    assert.ok(Array.isArray(res.body[key]), `${next} answers under "${key}"`);
    pages.push(res.body);
    if (res.body.end_of_stream) return pages;
    next = local(res.body.after_url);
  }
  assert.fail(`${path} did not reach end_of_stream`);
}

const idsOf = (pages: any[], key: string): number[] => pages.flatMap((p) => p[key].map((r: any) => r.id));

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  customerId = (await acct.createUser('Carla Customer', 'carla@exports.test', 'end-user')).id;
  await acct.createUser('Agnes Agent', 'agnes@exports.test', 'agent');
});

after(async () => {
  await app?.close();
});

describe('ticket exports', () => {
  const all: number[] = [];
  let lastCursor = '';
  let lastEndTime = 0;

  test('time-based: a walk with a small page reaches end_of_stream with every ticket once', async () => {
    for (let i = 0; i < 15; i++) all.push(await newTicket(`Export ${i}`));
    // Eight share one exact timestamp (more than a page), three share another second, four a third.
    await pin('tickets', all.slice(0, 8), '2021-03-01T00:00:00.000000Z');
    await pin('tickets', all.slice(8, 10), '2021-03-01T00:00:01.500000Z');
    await pin('tickets', all.slice(10, 11), '2021-03-01T00:00:01.500001Z');
    await pin('tickets', all.slice(11, 13), '2021-03-01T00:00:03.250007Z');
    await pin('tickets', all.slice(13), '2021-03-01T00:00:03.999999Z');

    const pages = await walkTime(
      `/api/v2/incremental/tickets.json?start_time=${T0 - 60}&per_page=3`,
      'tickets',
    );
    const seen = idsOf(pages, 'tickets');
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [...all].sort((a, b) => a - b),
    );
    assert.equal(new Set(seen).size, seen.length, 'no ticket twice within one walk');
    // Pages hold whole seconds: a second never continues on the next page.
    for (let i = 1; i < pages.length; i++) {
      const lastOfPrev = pages[i - 1].tickets.at(-1).generated_timestamp;
      assert.ok(pages[i].tickets[0].generated_timestamp > lastOfPrev);
      assert.match(pages[i - 1].next_page, new RegExp(`start_time=${pages[i - 1].end_time}`));
      assert.match(pages[i - 1].next_page, /per_page=3/);
    }
    // The crowded second came as one page, larger than per_page, rather than looping.
    assert.equal(pages[0].tickets.length, 8);
    assert.ok(pages.every((p) => p.end_time <= Math.floor(Date.now() / 1000)));
    const final = pages.at(-1);
    assert.equal(final.end_time, T0 + 3, 'end_time is the last ticket’s generated_timestamp');
    lastEndTime = final.end_time;
    const t = pages[0].tickets[0];
    assert.equal(t.url.endsWith(`/api/v2/tickets/${t.id}.json`), true);
    assert.equal(t.updated_at, '2021-03-01T00:00:00Z');
    assert.equal(t.generated_timestamp, T0);
  });

  test('cursor-based: a walk through ties and microseconds has no misses and no duplicates', async () => {
    // node-zendesk's first request: `cursor=undefined&page[size]=100`; here a page size of 3.
    const pages = await walkCursor(
      `/api/v2/incremental/tickets/cursor.json?start_time=${T0 - 60}&cursor=undefined&page%5Bsize%5D=3`,
      'tickets',
    );
    const seen = idsOf(pages, 'tickets');
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'pinned order: updated_at, then id',
    );
    assert.deepEqual(seen, all);
    assert.ok(pages.length >= 5);
    assert.ok(pages.slice(0, -1).every((p) => p.tickets.length === 3));
    assert.match(pages[0].after_url, /per_page=3/);
    lastCursor = pages.at(-1).after_cursor;
    // At the end, the cursor stays where the stream ended.
    const again = await get(`/api/v2/incremental/tickets/cursor.json?cursor=${lastCursor}`);
    assert.deepEqual(again.body.tickets, []);
    assert.equal(again.body.end_of_stream, true);
    assert.equal(again.body.after_cursor, lastCursor);
  });

  test('an updated ticket comes again after its update', async () => {
    const res = await api(app, 'PUT', `/api/v2/tickets/${all[2]}.json`, {
      auth: acct.auth,
      body: { ticket: { priority: 'high' } },
    });
    assert.equal(res.status, 200, res.text);
    const next = await get(`/api/v2/incremental/tickets/cursor.json?cursor=${lastCursor}`);
    assert.deepEqual(
      next.body.tickets.map((t: any) => [t.id, t.priority]),
      [[all[2], 'high']],
    );
    lastCursor = next.body.after_cursor;
    const timed = await get(`/api/v2/incremental/tickets.json?start_time=${lastEndTime}`);
    assert.ok(timed.body.tickets.some((t: any) => t.id === all[2] && t.priority === 'high'));
  });

  test('a deleted ticket comes with status "deleted", unless exclude_deleted=true', async () => {
    const del = await api(app, 'DELETE', `/api/v2/tickets/${all[5]}.json`, { auth: acct.auth });
    assert.equal(del.status, 204, del.text);
    const next = await get(`/api/v2/incremental/tickets/cursor.json?cursor=${lastCursor}`);
    assert.deepEqual(
      next.body.tickets.map((t: any) => [t.id, t.status]),
      [[all[5], 'deleted']],
    );
    const excluded = await get(
      `/api/v2/incremental/tickets/cursor.json?cursor=${lastCursor}&exclude_deleted=true`,
    );
    assert.deepEqual(excluded.body.tickets, []);
    assert.match(excluded.body.after_url, /exclude_deleted=true/);
    const timed = await get(`/api/v2/incremental/tickets.json?start_time=${T0 - 60}`);
    assert.equal(timed.body.tickets.find((t: any) => t.id === all[5]).status, 'deleted');
    const timedExcluded = await get(
      `/api/v2/incremental/tickets.json?start_time=${T0 - 60}&exclude_deleted=true`,
    );
    assert.ok(!timedExcluded.body.tickets.some((t: any) => t.id === all[5]));
    assert.equal(timedExcluded.body.tickets.length, all.length - 1);
  });

  test('include=users,groups,organizations side-loads what the tickets point at', async () => {
    const res = await get(
      `/api/v2/incremental/tickets.json?start_time=${T0 - 60}&include=users,groups,organizations`,
    );
    assert.equal(res.status, 200);
    const userIds = res.body.users.map((u: any) => u.id);
    assert.ok(userIds.includes(customerId) && userIds.includes(acct.adminId));
    assert.deepEqual(res.body.groups, []);
    assert.deepEqual(res.body.organizations, []);
    assert.match(res.body.next_page, /include=users%2Cgroups%2Corganizations/);
  });
});

describe('user and organization exports', () => {
  test('users: time- and cursor-based walks; a deleted user is exported inactive', async () => {
    const made: number[] = [];
    for (let i = 0; i < 5; i++) made.push((await acct.createUser(`User ${i}`, `u${i}@exports.test`)).id);
    await pin('users', made.slice(0, 4), '2021-03-01T00:00:10.123456Z');
    const del = await api(app, 'DELETE', `/api/v2/users/${made[4]}.json`, { auth: acct.auth });
    assert.equal(del.status, 200, del.text);

    const cursorPages = await walkCursor(
      `/api/v2/incremental/users/cursor.json?start_time=${T0}&per_page=2`,
      'users',
    );
    const viaCursor = idsOf(cursorPages, 'users');
    assert.equal(new Set(viaCursor).size, viaCursor.length, 'no user twice');
    for (const id of made) assert.ok(viaCursor.includes(id), `user ${id} exported`);
    assert.deepEqual(viaCursor.slice(0, 4), made.slice(0, 4), 'the pinned users first, by id');
    const deleted = cursorPages.flatMap((p) => p.users).find((u: any) => u.id === made[4]);
    assert.equal(deleted.active, false);
    assert.equal(deleted.email, 'u4@exports.test');

    const timePages = await walkTime(`/api/v2/incremental/users.json?start_time=${T0}&per_page=2`, 'users');
    const viaTime = idsOf(timePages, 'users');
    assert.deepEqual(
      [...viaTime].sort((a, b) => a - b),
      [...viaCursor].sort((a, b) => a - b),
    );
    const user = timePages[0].users[0];
    assert.equal(user.password_hash, undefined);
    assert.match(user.url, /\/api\/v2\/users\/\d+\.json$/);
  });

  test('organizations: a time-based walk', async () => {
    const orgs: number[] = [];
    for (const name of ['Acme', 'Globex', 'Initech']) {
      const res = await api(app, 'POST', '/api/v2/organizations.json', {
        auth: acct.auth,
        body: { organization: { name } },
      });
      assert.equal(res.status, 201, res.text);
      orgs.push(res.body.organization.id);
    }
    await pin('organizations', orgs.slice(0, 2), '2021-03-01T00:00:20Z');
    const pages = await walkTime(
      `/api/v2/incremental/organizations.json?start_time=${T0}&per_page=1`,
      'organizations',
    );
    assert.deepEqual(idsOf(pages, 'organizations'), orgs);
    assert.equal(pages[0].organizations[0].name, 'Acme');
  });
});

describe('ticket events', () => {
  test('each audit is an event with its changes; comment text only with include=comment_events', async () => {
    const start = Math.floor(Date.now() / 1000) - 1;
    const id = await newTicket('Events', { priority: 'low' });
    const upd = await api(app, 'PUT', `/api/v2/tickets/${id}.json`, {
      auth: acct.auth,
      body: { ticket: { status: 'pending', comment: { body: 'secret-note-77', public: false } } },
    });
    assert.equal(upd.status, 200, upd.text);

    const res = await get(`/api/v2/incremental/ticket_events.json?start_time=${start}`);
    assert.equal(res.status, 200, res.text);
    const events = res.body.ticket_events.filter((e: any) => e.ticket_id === id);
    assert.equal(events.length, 2);
    assert.equal(res.body.count, res.body.ticket_events.length);
    const [created, changed] = events;
    assert.equal(created.event_type, 'Audit');
    assert.equal(created.updater_id, acct.adminId);
    assert.equal(typeof created.timestamp, 'number');
    const priority = created.child_events.find((c: any) => c.field_name === 'priority');
    assert.equal(priority.event_type, 'Create');
    assert.equal(priority.priority, 'low');
    const status = changed.child_events.find((c: any) => c.field_name === 'status');
    assert.deepEqual([status.event_type, status.status, status.previous_value], ['Change', 'pending', 'new']);
    const note = changed.child_events.find((c: any) => c.event_type === 'Comment');
    assert.deepEqual([note.comment_present, note.comment_public], [true, false]);
    assert.equal(note.body, undefined);
    assert.ok(!res.text.includes('secret-note-77'));

    const withText = await get(
      `/api/v2/incremental/ticket_events.json?start_time=${start}&include=comment_events`,
    );
    const texts = withText.body.ticket_events
      .filter((e: any) => e.ticket_id === id)
      .flatMap((e: any) => e.child_events.filter((c: any) => c.event_type === 'Comment'))
      .map((c: any) => [c.body, c.public]);
    assert.deepEqual(texts, [
      ['About Events', true],
      ['secret-note-77', false],
    ]);
  });

  test('a walk over audits with a small page ends', async () => {
    const pages = await walkTime(
      `/api/v2/incremental/ticket_events.json?start_time=${T0}&per_page=2`,
      'ticket_events',
    );
    const ids = idsOf(pages, 'ticket_events');
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 17);
  });
});

describe('access and validation', () => {
  test('agents and end-users are refused; another account sees none of these records', async () => {
    for (const who of ['agnes@exports.test', 'carla@exports.test']) {
      for (const path of [
        '/api/v2/incremental/tickets.json?start_time=0',
        '/api/v2/incremental/tickets/cursor.json?start_time=0',
        '/api/v2/incremental/users.json?start_time=0',
        '/api/v2/incremental/ticket_events.json?start_time=0',
      ]) {
        const res = await get(path, acct.authAs(who));
        assert.equal(res.status, 403, `${who} ${path}: ${res.text}`);
      }
    }
    const mine = new Set(
      (await get('/api/v2/incremental/tickets.json?start_time=0')).body.tickets.map((t: any) => t.id),
    );
    assert.ok(mine.size > 0);
    for (const [path, key] of [
      ['/api/v2/incremental/tickets.json?start_time=0', 'tickets'],
      ['/api/v2/incremental/tickets/cursor.json?start_time=0', 'tickets'],
      ['/api/v2/incremental/ticket_events.json?start_time=0', 'ticket_events'],
    ] as const) {
      const res = await get(path, other.auth);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body[key], [], `${path} shows another account's records`);
    }
    const users = await get('/api/v2/incremental/users/cursor.json?start_time=0', other.auth);
    assert.deepEqual(
      users.body.users.map((u: any) => u.id),
      [other.adminId],
    );
    // A cursor from account A reads nothing of A on B.
    const a = await get('/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1');
    const onB = await get(
      `/api/v2/incremental/tickets/cursor.json?cursor=${a.body.after_cursor}`,
      other.auth,
    );
    assert.deepEqual(onB.body.tickets, []);
  });

  test('a missing, malformed or future start_time, a bad page size or a foreign cursor is a 4xx that says why', async () => {
    const missing = await get('/api/v2/incremental/tickets.json');
    assert.equal(missing.status, 400);
    assert.match(missing.body.description, /start_time is required/);
    const noCursor = await get('/api/v2/incremental/tickets/cursor.json?cursor=undefined');
    assert.equal(noCursor.status, 400);
    const malformed = await get('/api/v2/incremental/users.json?start_time=yesterday');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.description, /Unix time/);
    const future = await get(
      `/api/v2/incremental/tickets.json?start_time=${Math.floor(Date.now() / 1000) + 3600}`,
    );
    assert.equal(future.status, 422);
    assert.match(future.body.details.start_time[0].description, /future/);
    const tooBig = await get('/api/v2/incremental/tickets.json?start_time=0&per_page=1001');
    assert.equal(tooBig.status, 400);
    const garbage = await get('/api/v2/incremental/tickets/cursor.json?cursor=not-a-cursor');
    assert.equal(garbage.status, 422);
    const users = await get('/api/v2/incremental/users/cursor.json?start_time=0&per_page=1');
    const crossed = await get(`/api/v2/incremental/tickets/cursor.json?cursor=${users.body.after_cursor}`);
    assert.equal(crossed.status, 422, 'a users cursor is not a tickets cursor');
  });
});
