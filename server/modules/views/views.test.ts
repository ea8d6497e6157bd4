import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { sql } from '../../platform/db/tenant-db.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let agent2Id: number;
let restrictedId: number;
let customerId: number;
let agentAuth: string;
let agent2Auth: string;
let restrictedAuth: string;
let support: number;
let billing: number;
/** Tickets made for the execution tests, by name. */
const t: Record<string, Record<string, any>> = {};

async function call(method: string, path: string, body?: unknown, auth = acct.auth) {
  return api(app, method, path, { auth, body });
}

async function newTicket(ticket: Record<string, unknown>) {
  const res = await call('POST', '/api/v2/tickets.json', {
    ticket: { comment: { body: 'Details.' }, requester_id: customerId, ...ticket },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket as Record<string, any>;
}

async function createView(view: Record<string, unknown>, auth = acct.auth) {
  return call('POST', '/api/v2/views.json', { view }, auth);
}

async function newView(view: Record<string, unknown>, auth = acct.auth) {
  const res = await createView(view, auth);
  assert.equal(res.status, 201, res.text);
  return res.body.view as Record<string, any>;
}

async function execute(viewId: number, query = '', auth = acct.auth) {
  const res = await call('GET', `/api/v2/views/${viewId}/execute.json${query}`, undefined, auth);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

const ids = (rows: { ticket_id: number }[]) => rows.map((r) => r.ticket_id);
const mine = (list: number[]) => list.filter((id) => Object.values(t).some((x) => x.id === id));

async function defaultView(title: string, auth = acct.auth): Promise<Record<string, any>> {
  const res = await call('GET', '/api/v2/views.json', undefined, auth);
  const view = res.body.views.find((v: any) => v.title === title);
  assert.ok(view, `default view ${title}`);
  return view;
}

/** Moves a ticket's clock back (the API cannot write timestamps), through the test's own database handle. */
async function backdate(
  ticketId: number,
  column: 'updated_at' | 'created_at' | 'solved_at',
  hoursAgo: number,
) {
  await app.runtime.services.database.db
    .updateTable('tickets')
    .set({ [column]: new Date(Date.now() - hoursAgo * 3_600_000) })
    .where('account_id', '=', acct.id)
    .where('id', '=', ticketId)
    .execute();
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  agentId = (await acct.createUser('Agnes Agent', 'agnes@views.test', 'agent')).id;
  agent2Id = (await acct.createUser('Bert Agent', 'bert@views.test', 'agent')).id;
  restrictedId = (await acct.createUser('Rita Restricted', 'rita@views.test', 'agent')).id;
  customerId = (await acct.createUser('Carla Customer', 'carla@views.test', 'end-user')).id;
  agentAuth = acct.authAs('agnes@views.test');
  agent2Auth = acct.authAs('bert@views.test');
  restrictedAuth = acct.authAs('rita@views.test');
  support = (await call('POST', '/api/v2/groups.json', { group: { name: 'Support' } })).body.group.id;
  billing = (await call('POST', '/api/v2/groups.json', { group: { name: 'Billing' } })).body.group.id;
  for (const [user_id, group_id] of [
    [agentId, support],
    [agent2Id, billing],
    [restrictedId, billing],
  ]) {
    const res = await call('POST', '/api/v2/group_memberships.json', {
      group_membership: { user_id, group_id },
    });
    assert.equal(res.status, 201, res.text);
  }
  const restrict = await call('PUT', `/api/v2/users/${restrictedId}.json`, {
    user: { ticket_restriction: 'groups' },
  });
  assert.equal(restrict.status, 200, restrict.text);

  // Subjects sort alphabetically in creation order reversed, so sort tests can tell orders apart.
  t.urgentOpen = await newTicket({
    subject: 'E urgent open',
    status: 'open',
    priority: 'urgent',
    assignee_id: agentId,
    group_id: support,
    tags: ['vip', 'printer'],
  });
  t.highPending = await newTicket({
    subject: 'D high pending',
    status: 'pending',
    priority: 'high',
    assignee_id: agent2Id,
    group_id: billing,
    tags: ['printer'],
  });
  t.lowNew = await newTicket({ subject: 'C low new', status: 'new', priority: 'low', tags: ['scanner'] });
  t.solved = await newTicket({
    subject: 'B solved',
    status: 'solved',
    priority: 'normal',
    assignee_id: agentId,
    group_id: support,
  });
  t.holdBilling = await newTicket({
    subject: 'A hold billing',
    status: 'hold',
    assignee_id: agent2Id,
    group_id: billing,
    type: 'incident',
  });
});

after(async () => {
  await app?.close();
});

describe('default views', () => {
  test('every new account starts with the six default views, shared and marked default', async () => {
    const fresh = await app.createAccount();
    const res = await api(app, 'GET', '/api/v2/views.json', { auth: fresh.auth });
    assert.equal(res.status, 200, res.text);
    const titles = res.body.views.map((v: any) => v.title);
    assert.deepEqual(titles, [
      'Your unsolved tickets',
      'Unassigned tickets',
      'All unsolved tickets',
      'Recently updated tickets',
      'Pending tickets',
      'Recently solved tickets',
    ]);
    for (const view of res.body.views) {
      assert.equal(view.default, true);
      assert.equal(view.active, true);
      assert.equal(view.restriction, null);
      assert.ok(view.execution.columns.length > 0);
    }
    const yours = res.body.views[0];
    assert.deepEqual(yours.conditions.all, [
      { field: 'status', operator: 'less_than', value: 'solved' },
      { field: 'assignee_id', operator: 'is', value: 'current_user' },
    ]);
    assert.deepEqual(res.body.views[5].conditions.all, [
      { field: 'status', operator: 'greater_than', value: 'hold' },
      { field: 'solved_at', operator: 'less_than', value: '168' },
    ]);
  });

  test('"Your unsolved tickets" resolves current_user to whoever executes it', async () => {
    const view = await defaultView('Your unsolved tickets');
    const agnes = await execute(view.id, '', agentAuth);
    assert.deepEqual(mine(ids(agnes.rows)), [t.urgentOpen!.id]);
    const bert = await execute(view.id, '', agent2Auth);
    assert.deepEqual(mine(ids(bert.rows)).sort(), [t.highPending!.id, t.holdBilling!.id].sort());
    assert.equal(bert.count, 2);
  });

  test('"Unassigned tickets" holds unsolved tickets with no assignee', async () => {
    const view = await defaultView('Unassigned tickets');
    const body = await execute(view.id);
    assert.deepEqual(mine(ids(body.rows)), [t.lowNew!.id]);
  });

  test('"All unsolved tickets", "Pending tickets", "Recently solved tickets", "Recently updated tickets"', async () => {
    const unsolved = await execute((await defaultView('All unsolved tickets')).id);
    assert.deepEqual(
      mine(ids(unsolved.rows)).sort(),
      [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id, t.holdBilling!.id].sort(),
    );
    const pending = await execute((await defaultView('Pending tickets')).id);
    assert.deepEqual(mine(ids(pending.rows)), [t.highPending!.id]);
    const solved = await execute((await defaultView('Recently solved tickets')).id);
    assert.deepEqual(mine(ids(solved.rows)), [t.solved!.id]);
    const updated = await execute((await defaultView('Recently updated tickets')).id);
    assert.equal(mine(ids(updated.rows)).length, 5);
  });
});

describe('creating, reading, changing and deleting views', () => {
  test('create with conditions, output and a restriction; show; list; 201 with Location', async () => {
    const res = await createView({
      title: 'Urgent printers',
      description: 'Printers on fire',
      all: [
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'current_tags', operator: 'includes', value: 'Printer' },
      ],
      any: [{ field: 'priority', operator: 'is', value: 'urgent' }],
      output: {
        columns: ['status', 'requester', 'assignee', 'subject'],
        sort_by: 'created',
        sort_order: 'asc',
      },
    });
    assert.equal(res.status, 201, res.text);
    const view = res.body.view;
    assert.equal(res.headers.get('location'), view.url);
    assert.match(view.url, new RegExp(`/api/v2/views/${view.id}\\.json$`));
    assert.equal(view.title, 'Urgent printers');
    assert.equal(view.description, 'Printers on fire');
    assert.equal(view.active, true);
    assert.equal(view.default, false);
    assert.equal(view.restriction, null);
    assert.deepEqual(view.conditions, {
      all: [
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'current_tags', operator: 'includes', value: 'printer' },
      ],
      any: [{ field: 'priority', operator: 'is', value: 'urgent' }],
    });
    assert.deepEqual(
      view.execution.columns.map((c: any) => c.id),
      ['status', 'requester', 'assignee', 'subject'],
    );
    assert.equal(view.execution.columns[1].title, 'Requester');
    assert.equal(view.execution.sort_by, 'created');
    assert.equal(view.execution.sort_order, 'asc');
    assert.deepEqual(view.execution.sort, { id: 'created', title: 'Requested', order: 'asc' });

    const shown = await call('GET', `/api/v2/views/${view.id}.json`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.view, view);
    const listed = await call('GET', '/api/v2/views.json?per_page=100', undefined, agentAuth);
    assert.ok(listed.body.views.some((v: any) => v.id === view.id));

    const events = await app.runtime.services.database.db
      .selectFrom('events')
      .select('type')
      .where('account_id', '=', acct.id)
      .where('subject_id', '=', view.id)
      .where('type', '=', 'view.created')
      .execute();
    assert.equal(events.length, 1);
  });

  test('conditions: {all, any} and execution are accepted too; PUT replaces only the lists it names', async () => {
    const view = await newView({
      title: 'Nested form',
      conditions: {
        all: [{ field: 'status', operator: 'is', value: 'open' }],
        any: [{ field: 'group_id', operator: 'is', value: String(support) }],
      },
      execution: { columns: [{ id: 'subject', title: 'Subject' }], sort_by: 'updated_at' },
    });
    assert.equal(view.execution.sort_by, 'updated');
    const res = await call('PUT', `/api/v2/views/${view.id}.json`, {
      view: { title: 'Renamed', active: false, all: [{ field: 'status', operator: 'is', value: 'pending' }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.view.title, 'Renamed');
    assert.equal(res.body.view.active, false);
    assert.deepEqual(res.body.view.conditions.all, [{ field: 'status', operator: 'is', value: 'pending' }]);
    assert.deepEqual(res.body.view.conditions.any, [
      { field: 'group_id', operator: 'is', value: String(support) },
    ]);
    assert.deepEqual(res.body.view.execution.columns, [{ id: 'subject', title: 'Subject' }]);

    const active = await call('GET', '/api/v2/views/active.json?per_page=100');
    assert.ok(!active.body.views.some((v: any) => v.id === view.id), 'inactive views are not active');
    const inactive = await call('GET', '/api/v2/views.json?active=false');
    assert.deepEqual(
      inactive.body.views.map((v: any) => v.id),
      [view.id],
    );

    const del = await call('DELETE', `/api/v2/views/${view.id}.json`);
    assert.equal(del.status, 204);
    assert.equal((await call('GET', `/api/v2/views/${view.id}.json`)).status, 404);
    assert.equal((await call('DELETE', `/api/v2/views/${view.id}.json`)).status, 404);
  });

  test('lists page by offset and by cursor', async () => {
    const offset = await call('GET', '/api/v2/views.json?per_page=2');
    assert.equal(offset.body.views.length, 2);
    assert.ok(offset.body.count >= 6);
    assert.match(offset.body.next_page, /page=2/);
    const seen: number[] = [];
    let next: string | null = '/api/v2/views.json?page[size]=4';
    while (next) {
      const res = await call('GET', next.replace(/^https?:\/\/[^/]+/, ''));
      assert.equal(res.status, 200, res.text);
      seen.push(...res.body.views.map((v: any) => v.id));
      next = res.body.links.next;
    }
    assert.equal(seen.length, offset.body.count);
    assert.equal(new Set(seen).size, seen.length);
  });

  test('search by title and show_many', async () => {
    const view = await newView({
      title: 'Needle in a haystack',
      all: [{ field: 'status', operator: 'is', value: 'new' }],
    });
    const found = await call('GET', '/api/v2/views/search.json?query=needle');
    assert.deepEqual(
      found.body.views.map((v: any) => v.id),
      [view.id],
    );
    const many = await call('GET', `/api/v2/views/show_many.json?ids=${view.id},999999`);
    assert.deepEqual(
      many.body.views.map((v: any) => v.id),
      [view.id],
    );
  });
});

describe('validation', () => {
  const status = { field: 'status', operator: 'less_than', value: 'solved' };

  async function rejected(view: Record<string, unknown>, field: string, pattern: RegExp) {
    const res = await createView({ title: 'Bad', ...view });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error, 'RecordInvalid');
    const detail = res.body.details[field]?.[0];
    assert.ok(detail, `details name ${field}: ${res.text}`);
    assert.match(detail.description, pattern);
    return detail;
  }

  test('an unknown condition field is refused, naming it', async () => {
    const detail = await rejected(
      { all: [status, { field: 'favourite_colour', operator: 'is', value: 'red' }] },
      'conditions',
      /all\[1\].*favourite_colour/,
    );
    assert.equal(detail.error, 'UnknownField');
  });

  test('an unknown operator is refused, naming it and the field', async () => {
    const detail = await rejected(
      { any: [{ field: 'assignee_id', operator: 'less_than', value: '5' }] },
      'conditions',
      /any\[0\].*less_than.*assignee_id/,
    );
    assert.equal(detail.error, 'UnknownOperator');
    await rejected({ all: [{ field: 'current_tags', operator: 'is', value: 'vip' }] }, 'conditions', /"is"/);
  });

  test('bad values, missing conditions, unknown columns and sorts are refused', async () => {
    await rejected(
      { all: [{ field: 'status', operator: 'is', value: 'exploded' }] },
      'conditions',
      /exploded/,
    );
    await rejected({ all: [{ field: 'assignee_id', operator: 'is', value: 'bob' }] }, 'conditions', /bob/);
    await rejected(
      { all: [{ field: 'updated_at', operator: 'less_than', value: 'soon' }] },
      'conditions',
      /hours/,
    );
    await rejected(
      { all: [{ field: 'current_tags', operator: 'includes', value: '' }] },
      'conditions',
      /tags/,
    );
    await rejected({ all: [] }, 'conditions', /at least one condition/);
    await rejected({ all: [{ operator: 'is', value: 'x' }] }, 'conditions', /needs a field/);
    await rejected({ all: [status], output: { columns: ['subject', 'shoe_size'] } }, 'columns', /shoe_size/);
    await rejected({ all: [status], output: { sort_by: 'shoe_size' } }, 'sort_by', /shoe_size/);
    await rejected({ all: [status], output: { group_by: 'subject' } }, 'group_by', /subject/);
    await rejected({ all: [status], output: { sort_order: 'sideways' } }, 'sort_order', /asc or desc/);
    await rejected(
      { all: [{ field: 'custom_fields_987654', operator: 'is', value: 'x' }] },
      'conditions',
      /987654/,
    );
    const blank = await call('POST', '/api/v2/views.json', { view: { all: [status] } });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.details.title[0].error, 'BlankValue');
  });

  test('a restriction must name an agent of this account or existing groups', async () => {
    await rejected({ all: [status], restriction: { type: 'User', id: customerId } }, 'restriction', /agent/);
    await rejected(
      { all: [status], restriction: { type: 'Group', ids: [support, 987654] } },
      'restriction',
      /987654/,
    );
  });

  test('executing with an unknown sort_by is refused', async () => {
    const view = await defaultView('All unsolved tickets');
    const res = await call('GET', `/api/v2/views/${view.id}/execute.json?sort_by=shoe_size`);
    assert.equal(res.status, 422);
    assert.match(res.body.details.sort_by[0].description, /shoe_size/);
  });
});

describe('executing a view', () => {
  let printers: Record<string, any>;

  before(async () => {
    printers = await newView({
      title: 'Unsolved printer tickets',
      all: [
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'current_tags', operator: 'includes', value: 'printer scanner' },
      ],
      output: {
        columns: ['subject', 'requester', 'created', 'updated', 'status', 'priority', 'assignee', 'group'],
        sort_by: 'subject',
        sort_order: 'asc',
      },
    });
  });

  test('rows carry a partial ticket and each column value; columns, count and links', async () => {
    const body = await execute(printers.id);
    assert.deepEqual(ids(body.rows), [t.lowNew!.id, t.highPending!.id, t.urgentOpen!.id]);
    assert.equal(body.count, 3);
    assert.equal(body.next_page, null);
    assert.equal(body.previous_page, null);
    assert.deepEqual(body.groups, []);
    assert.equal(body.view.id, printers.id);
    assert.deepEqual(
      body.columns.map((c: any) => [c.id, c.title]),
      [
        ['subject', 'Subject'],
        ['requester', 'Requester'],
        ['created', 'Requested'],
        ['updated', 'Updated'],
        ['status', 'Status'],
        ['priority', 'Priority'],
        ['assignee', 'Assignee'],
        ['group', 'Group'],
      ],
    );
    const row = body.rows.find((r: any) => r.ticket_id === t.highPending!.id);
    assert.equal(row.ticket.id, t.highPending!.id);
    assert.equal(row.ticket.subject, 'D high pending');
    assert.equal(row.ticket.status, 'pending');
    assert.match(row.ticket.url, new RegExp(`/api/v2/tickets/${t.highPending!.id}\\.json$`));
    assert.equal(row.subject, 'D high pending');
    assert.equal(row.requester_id, customerId);
    assert.equal(row.assignee_id, agent2Id);
    assert.equal(row.group_id, billing);
    assert.equal(row.status, 'pending');
    assert.equal(row.priority, 'high');
    assert.equal(row.created, t.highPending!.created_at);
    assert.equal(row.updated, t.highPending!.updated_at);
  });

  test('sort_by and sort_order override the view’s sort', async () => {
    const byPriority = await execute(printers.id, '?sort_by=priority&sort_order=desc');
    // Descending puts tickets without a value first, as PostgreSQL orders nulls.
    assert.deepEqual(ids(byPriority.rows), [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id]);
    const byStatus = await execute(printers.id, '?sort_by=status&sort_order=asc');
    assert.deepEqual(ids(byStatus.rows), [t.lowNew!.id, t.urgentOpen!.id, t.highPending!.id]);
    const byCreated = await execute(printers.id, '?sort_by=created_at&sort_order=desc');
    assert.deepEqual(ids(byCreated.rows), [t.lowNew!.id, t.highPending!.id, t.urgentOpen!.id]);
    const byAssignee = await execute(printers.id, '?sort_by=assignee&sort_order=asc');
    // Agnes < Bert, and the unassigned ticket last.
    assert.deepEqual(ids(byAssignee.rows), [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id]);
    const byId = await execute(printers.id, '?sort_by=id&sort_order=asc');
    assert.deepEqual(ids(byId.rows), [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id]);
  });

  test('offset pages: per_page, next_page and previous_page', async () => {
    const first = await execute(printers.id, '?per_page=2');
    assert.deepEqual(ids(first.rows), [t.lowNew!.id, t.highPending!.id]);
    assert.equal(first.count, 3);
    assert.match(first.next_page, /page=2/);
    assert.match(first.next_page, /per_page=2/);
    const second = await execute(printers.id, '?per_page=2&page=2');
    assert.deepEqual(ids(second.rows), [t.urgentOpen!.id]);
    assert.equal(second.next_page, null);
    assert.match(second.previous_page, /page=1/);
  });

  test('cursor pages walk every row once, forwards and back, for each sort', async () => {
    for (const sort of [
      'sort_by=subject&sort_order=asc',
      'sort_by=priority&sort_order=asc',
      'sort_by=updated&sort_order=desc',
      'sort_by=assignee&sort_order=desc',
    ]) {
      const all = ids((await execute(printers.id, `?${sort}`)).rows);
      const walked: number[] = [];
      let next: string | null = `/api/v2/views/${printers.id}/execute.json?${sort}&page[size]=1`;
      let last: any;
      while (next) {
        const res = await call('GET', next.replace(/^https?:\/\/[^/]+/, ''));
        assert.equal(res.status, 200, res.text);
        walked.push(...ids(res.body.rows));
        last = res.body;
        next = res.body.links.next;
      }
      assert.deepEqual(walked, all, sort);
      assert.equal(last.meta.has_more, false);
      const back = await call('GET', last.links.prev.replace(/^https?:\/\/[^/]+/, ''));
      assert.deepEqual(ids(back.body.rows), [all[all.length - 2]], sort);
    }
    // Sorts on columns with empty values (priority, type, solved, assignee): nulls last ascending, first descending.
    const everything = await newView({
      title: 'Everything',
      all: [{ field: 'requester_id', operator: 'is', value: customerId }],
    });
    for (const sort of [
      'priority&sort_order=asc',
      'priority&sort_order=desc',
      'type&sort_order=asc',
      'solved&sort_order=asc',
      'group&sort_order=asc',
      'group&sort_order=desc',
    ]) {
      const all = ids((await execute(everything.id, `?sort_by=${sort}`)).rows);
      assert.equal(all.length, 5);
      const walked: number[] = [];
      let next: string | null = `/api/v2/views/${everything.id}/execute.json?sort_by=${sort}&page[size]=2`;
      while (next) {
        const res = await call('GET', next.replace(/^https?:\/\/[^/]+/, ''));
        walked.push(...ids(res.body.rows));
        next = res.body.links.next;
      }
      assert.deepEqual(walked, all, sort);
    }
    const bad = await call('GET', `/api/v2/views/${printers.id}/execute.json?page[after]=nonsense`);
    assert.equal(bad.status, 422);
  });

  test('conditions on priority, type, group, requester, organization and time', async () => {
    const cases: [Record<string, unknown>[], Record<string, unknown>[], number[]][] = [
      [
        [{ field: 'priority', operator: 'greater_than', value: 'normal' }],
        [],
        [t.urgentOpen!.id, t.highPending!.id],
      ],
      [[{ field: 'priority', operator: 'is', value: '' }], [], [t.holdBilling!.id]],
      [[{ field: 'type', operator: 'is', value: 'incident' }], [], [t.holdBilling!.id]],
      [[{ field: 'group_id', operator: 'is', value: billing }], [], [t.highPending!.id, t.holdBilling!.id]],
      [
        [{ field: 'group_id', operator: 'is_not', value: String(billing) }],
        [],
        [t.urgentOpen!.id, t.lowNew!.id, t.solved!.id],
      ],
      [
        [{ field: 'status', operator: 'greater_than', value: 'pending' }],
        [],
        [t.solved!.id, t.holdBilling!.id],
      ],
      [
        [{ field: 'status', operator: 'is_not', value: 'open' }],
        [
          { field: 'current_tags', operator: 'includes', value: 'printer' },
          { field: 'assignee_id', operator: 'is', value: agentId },
        ],
        [t.highPending!.id, t.solved!.id],
      ],
      [
        [{ field: 'current_tags', operator: 'not_includes', value: 'printer scanner' }],
        [],
        [t.solved!.id, t.holdBilling!.id],
      ],
      [
        [{ field: 'requester_id', operator: 'is', value: customerId }],
        [],
        [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id, t.solved!.id, t.holdBilling!.id],
      ],
      [[{ field: 'organization_id', operator: 'is_not', value: null }], [], []],
      [
        [{ field: 'created_at', operator: 'less_than', value: '1' }],
        [],
        [t.urgentOpen!.id, t.highPending!.id, t.lowNew!.id, t.solved!.id, t.holdBilling!.id],
      ],
      [[{ field: 'hours_since_created', operator: 'greater_than', value: 1 }], [], []],
    ];
    for (const [all, any, expected] of cases) {
      const view = await newView({ title: 'Case', all, any, output: { sort_by: 'id', sort_order: 'asc' } });
      const body = await execute(view.id);
      assert.deepEqual(mine(ids(body.rows)), expected, JSON.stringify({ all, any }));
    }
  });

  test('hour conditions: less_than, greater_than and is count whole hours back from now', async () => {
    const old = await newTicket({ subject: 'Old one', status: 'open', tags: ['aging'] });
    await backdate(old.id, 'updated_at', 30.5);
    const tag = { field: 'current_tags', operator: 'includes', value: 'aging' };
    const within = await newView({
      title: 'Fresh',
      all: [tag, { field: 'updated_at', operator: 'less_than', value: '24' }],
    });
    const stale = await newView({
      title: 'Stale',
      all: [tag, { field: 'hours_since_updated', operator: 'greater_than', value: '24' }],
    });
    const exact = await newView({
      title: 'Thirty',
      all: [tag, { field: 'updated_at', operator: 'is', value: '30' }],
    });
    const wrong = await newView({
      title: 'Thirty-one',
      all: [tag, { field: 'updated_at', operator: 'is', value: '31' }],
    });
    assert.deepEqual(ids((await execute(within.id)).rows), []);
    assert.deepEqual(ids((await execute(stale.id)).rows), [old.id]);
    assert.deepEqual(ids((await execute(exact.id)).rows), [old.id]);
    assert.deepEqual(ids((await execute(wrong.id)).rows), []);
    const recently = await execute((await defaultView('Recently updated tickets')).id);
    assert.ok(!ids(recently.rows).includes(old.id));
    await call('DELETE', `/api/v2/tickets/${old.id}.json`);
  });

  test('current_groups resolves to the caller’s groups', async () => {
    const view = await newView({
      title: 'My groups',
      all: [{ field: 'group_id', operator: 'is', value: 'current_groups' }],
      output: { sort_by: 'id', sort_order: 'asc' },
    });
    assert.deepEqual(mine(ids((await execute(view.id, '', agentAuth)).rows)), [
      t.urgentOpen!.id,
      t.solved!.id,
    ]);
    assert.deepEqual(mine(ids((await execute(view.id, '', agent2Auth)).rows)), [
      t.highPending!.id,
      t.holdBilling!.id,
    ]);
    assert.deepEqual(ids((await execute(view.id)).rows), [], 'the admin is in no group');
  });

  test('group_by returns groups with counts and orders rows by group first', async () => {
    const view = await newView({
      title: 'By status',
      all: [{ field: 'status', operator: 'less_than', value: 'closed' }],
      output: {
        columns: ['subject'],
        group_by: 'status',
        group_order: 'asc',
        sort_by: 'subject',
        sort_order: 'asc',
      },
    });
    const body = await execute(view.id);
    const groups = body.groups.filter((g: any) => g.count > 0);
    assert.deepEqual(
      groups.map((g: any) => [g.id, g.name, g.count]),
      [
        ['new', 'New', 1],
        ['open', 'Open', 1],
        ['pending', 'Pending', 1],
        ['hold', 'Hold', 1],
        ['solved', 'Solved', 1],
      ],
    );
    assert.deepEqual(ids(body.rows), [
      t.lowNew!.id,
      t.urgentOpen!.id,
      t.highPending!.id,
      t.holdBilling!.id,
      t.solved!.id,
    ]);
    assert.equal(body.rows[0].status, 'new', 'rows carry the group column');
    const byAssignee = await newView({
      title: 'By assignee',
      all: [{ field: 'status', operator: 'less_than', value: 'solved' }],
      output: { group_by: 'assignee', sort_by: 'id' },
    });
    const grouped = await execute(byAssignee.id);
    assert.deepEqual(
      grouped.groups.map((g: any) => [g.id, g.name, g.count]),
      [
        [agentId, 'Agnes Agent', 1],
        [agent2Id, 'Bert Agent', 2],
        [null, '-', 1],
      ],
    );
  });

  test('/tickets lists full tickets in the view’s order', async () => {
    const res = await call('GET', `/api/v2/views/${printers.id}/tickets.json`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.tickets.map((x: any) => x.id),
      [t.lowNew!.id, t.highPending!.id, t.urgentOpen!.id],
    );
    const shown = await call('GET', `/api/v2/tickets/${t.highPending!.id}.json`);
    assert.deepEqual(res.body.tickets[1], shown.body.ticket);
    assert.equal(res.body.count, 3);
    const cursor = await call('GET', `/api/v2/views/${printers.id}/tickets.json?page[size]=2`);
    assert.equal(cursor.body.tickets.length, 2);
    assert.equal(cursor.body.meta.has_more, true);
  });

  test('count and count_many', async () => {
    const res = await call('GET', `/api/v2/views/${printers.id}/count.json`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.view_count.view_id, printers.id);
    assert.equal(res.body.view_count.value, 3);
    assert.equal(res.body.view_count.pretty, '3');
    assert.equal(res.body.view_count.fresh, true);
    assert.match(res.body.view_count.url, new RegExp(`/api/v2/views/${printers.id}/count\\.json$`));
    const personal = await newView(
      { title: 'Bert only', all: [{ field: 'status', operator: 'is', value: 'new' }] },
      agent2Auth,
    );
    const pending = await defaultView('Pending tickets');
    const many = await call(
      'GET',
      `/api/v2/views/count_many.json?ids=${printers.id},${pending.id},${personal.id},999999`,
    );
    assert.equal(many.status, 200, many.text);
    assert.deepEqual(
      many.body.view_counts.map((c: any) => [c.view_id, c.value]),
      [
        [pending.id, 1],
        [printers.id, 3],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    const tooMany = await call(
      'GET',
      `/api/v2/views/count_many.json?ids=${Array.from({ length: 21 }, (_, i) => i + 1).join(',')}`,
    );
    assert.equal(tooMany.status, 400);
  });

  test('preview runs unsaved conditions', async () => {
    const res = await call('POST', '/api/v2/views/preview.json', {
      view: {
        all: [{ field: 'status', operator: 'is', value: 'pending' }],
        output: { columns: ['subject'] },
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(ids(res.body.rows), [t.highPending!.id]);
    assert.deepEqual(res.body.columns, [{ id: 'subject', title: 'Subject' }]);
    const count = await call('POST', '/api/v2/views/preview/count.json', {
      view: { all: [{ field: 'status', operator: 'less_than', value: 'solved' }] },
    });
    assert.equal(count.body.view_count.value, 4);
    const bad = await call('POST', '/api/v2/views/preview.json', {
      view: { all: [{ field: 'nope', operator: 'is', value: 1 }] },
    });
    assert.equal(bad.status, 422);
  });
});

describe('who sees which views and tickets', () => {
  test('an agent’s view is personal by default; other agents and admins get 404', async () => {
    const view = await newView(
      { title: 'Agnes queue', all: [{ field: 'status', operator: 'is', value: 'open' }] },
      agentAuth,
    );
    assert.deepEqual(view.restriction, { type: 'User', id: agentId });
    assert.equal(
      (await call('GET', `/api/v2/views/${view.id}/execute.json`, undefined, agentAuth)).status,
      200,
    );
    for (const auth of [agent2Auth, acct.auth]) {
      for (const suffix of ['', '/execute', '/tickets', '/count']) {
        const res = await call('GET', `/api/v2/views/${view.id}${suffix}.json`, undefined, auth);
        assert.equal(res.status, 404, `${suffix}: ${res.text}`);
      }
      assert.equal(
        (await call('PUT', `/api/v2/views/${view.id}.json`, { view: { title: 'x' } }, auth)).status,
        404,
      );
      assert.equal((await call('DELETE', `/api/v2/views/${view.id}.json`, undefined, auth)).status, 404);
      const list = await call('GET', '/api/v2/views.json?per_page=100', undefined, auth);
      assert.ok(!list.body.views.some((v: any) => v.id === view.id));
    }
    const personal = await call('GET', '/api/v2/views.json?access=personal', undefined, agentAuth);
    assert.deepEqual(
      personal.body.views.map((v: any) => v.id),
      [view.id],
    );
    const renamed = await call(
      'PUT',
      `/api/v2/views/${view.id}.json`,
      { view: { title: 'Mine' } },
      agentAuth,
    );
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await call('DELETE', `/api/v2/views/${view.id}.json`, undefined, agentAuth)).status, 204);
  });

  test('agents cannot share views or change shared ones', async () => {
    const open = { field: 'status', operator: 'is', value: 'open' };
    const shared = await createView({ title: 'Shared', all: [open], restriction: null }, agentAuth);
    assert.equal(shared.status, 403);
    const group = await createView(
      { title: 'Group', all: [open], restriction: { type: 'Group', ids: [support] } },
      agentAuth,
    );
    assert.equal(group.status, 403);
    const forBert = await createView(
      { title: 'Bert', all: [open], restriction: { type: 'User', id: agent2Id } },
      agentAuth,
    );
    assert.equal(forBert.status, 403);
    const view = await defaultView('Pending tickets', agentAuth);
    assert.equal(
      (await call('PUT', `/api/v2/views/${view.id}.json`, { view: { title: 'x' } }, agentAuth)).status,
      403,
    );
    assert.equal((await call('DELETE', `/api/v2/views/${view.id}.json`, undefined, agentAuth)).status, 403);
    const own = await newView({ title: 'Own', all: [open] }, agentAuth);
    const share = await call(
      'PUT',
      `/api/v2/views/${own.id}.json`,
      { view: { restriction: null } },
      agentAuth,
    );
    assert.equal(share.status, 403);
  });

  test('a group view is seen by the group’s members and admins only', async () => {
    const view = await newView({
      title: 'Billing queue',
      all: [{ field: 'group_id', operator: 'is', value: billing }],
      restriction: { type: 'Group', id: billing },
    });
    assert.deepEqual(view.restriction, { type: 'Group', id: billing, ids: [billing] });
    assert.equal((await call('GET', `/api/v2/views/${view.id}.json`, undefined, agent2Auth)).status, 200);
    assert.equal((await call('GET', `/api/v2/views/${view.id}.json`, undefined, agentAuth)).status, 404);
    assert.equal((await call('GET', `/api/v2/views/${view.id}.json`)).status, 200);
    const shared = await call(
      'GET',
      `/api/v2/views.json?access=shared&group_id=${billing}`,
      undefined,
      agent2Auth,
    );
    assert.deepEqual(
      shared.body.views.map((v: any) => v.id),
      [view.id],
    );
  });

  test('a restricted agent’s executions hold only the tickets they may see', async () => {
    const view = await defaultView('All unsolved tickets', restrictedAuth);
    const body = await execute(view.id, '', restrictedAuth);
    assert.deepEqual(mine(ids(body.rows)).sort(), [t.highPending!.id, t.holdBilling!.id].sort());
    assert.equal(body.count, 2);
    const count = await call('GET', `/api/v2/views/${view.id}/count.json`, undefined, restrictedAuth);
    assert.equal(count.body.view_count.value, 2);
    const tickets = await call('GET', `/api/v2/views/${view.id}/tickets.json`, undefined, restrictedAuth);
    assert.deepEqual(
      tickets.body.tickets.map((x: any) => x.id).sort(),
      [t.highPending!.id, t.holdBilling!.id].sort(),
    );
  });

  test('end-users cannot reach views', async () => {
    const view = await defaultView('All unsolved tickets');
    const auth = acct.authAs('carla@views.test');
    assert.equal((await call('GET', '/api/v2/views.json', undefined, auth)).status, 403);
    assert.equal((await call('GET', `/api/v2/views/${view.id}/execute.json`, undefined, auth)).status, 403);
  });

  test('another account’s views are 404, and its executions never show this account’s tickets', async () => {
    const view = await defaultView('All unsolved tickets');
    for (const suffix of ['', '/execute', '/tickets', '/count']) {
      const res = await api(app, 'GET', `/api/v2/views/${view.id}${suffix}.json`, { auth: other.auth });
      assert.equal(res.status, 404, suffix);
    }
    const many = await api(app, 'GET', `/api/v2/views/count_many.json?ids=${view.id}`, { auth: other.auth });
    assert.deepEqual(many.body.view_counts, []);
    const theirs = await api(app, 'GET', '/api/v2/views.json', { auth: other.auth });
    const unsolved = theirs.body.views.find((v: any) => v.title === 'All unsolved tickets');
    const body = await api(app, 'GET', `/api/v2/views/${unsolved.id}/execute.json`, { auth: other.auth });
    assert.equal(body.status, 200);
    assert.deepEqual(body.body.rows, []);
    assert.equal(body.body.count, 0);
  });
});

describe('large views', () => {
  test('past 1,000 tickets the count is an estimate, reused for a minute until the view changes', async () => {
    const big = await app.createAccount();
    const requester = (
      await api(app, 'POST', '/api/v2/users.json', {
        auth: big.auth,
        body: { user: { name: 'Many Tickets', email: 'many@views.test' } },
      })
    ).body.user.id;
    // Volume, not behaviour, is under test here: 1,100 open tickets written in one statement.
    const root = app.runtime.services.database.db;
    await sql`insert into tickets (account_id, subject, status, requester_id)
      select ${big.id}, 'Bulk ' || g, 'open', ${requester} from generate_series(1, 1100) g`.execute(root);
    await sql`analyze tickets`.execute(root);
    const list = await api(app, 'GET', '/api/v2/views.json', { auth: big.auth });
    const view = list.body.views.find((v: any) => v.title === 'All unsolved tickets');

    const first = await api(app, 'GET', `/api/v2/views/${view.id}/execute.json?per_page=50`, {
      auth: big.auth,
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.rows.length, 50);
    assert.ok(first.body.count > 1000, `estimated ${first.body.count}`);
    assert.match(first.body.next_page, /page=2/);
    const count = await api(app, 'GET', `/api/v2/views/${view.id}/count.json`, { auth: big.auth });
    assert.match(count.body.view_count.pretty, /^~\d+$/);

    // The estimate is kept for this agent: the next execution reads it instead of counting.
    const kept = root
      .selectFrom('view_counts')
      .where('account_id', '=', big.id)
      .where('view_id', '=', view.id);
    assert.equal((await kept.selectAll().execute()).length, 1);
    await root.updateTable('view_counts').set({ value: 4242 }).where('account_id', '=', big.id).execute();
    const reused = await api(app, 'GET', `/api/v2/views/${view.id}/execute.json?per_page=50`, {
      auth: big.auth,
    });
    assert.equal(reused.body.count, 4242);
    const many = await api(app, 'GET', `/api/v2/views/count_many.json?ids=${view.id}`, { auth: big.auth });
    assert.equal(many.body.view_counts[0].value, 4242);

    // Changing the view, or the minute passing, means counting again.
    await api(app, 'PUT', `/api/v2/views/${view.id}.json`, {
      auth: big.auth,
      body: { view: { title: 'Renamed' } },
    });
    const recounted = await api(app, 'GET', `/api/v2/views/${view.id}/execute.json`, { auth: big.auth });
    assert.notEqual(recounted.body.count, 4242);
    await root.updateTable('view_counts').set({ value: 4242 }).where('account_id', '=', big.id).execute();
    await root
      .updateTable('view_counts')
      .set({ refreshed_at: new Date(Date.now() - 61_000) })
      .where('account_id', '=', big.id)
      .execute();
    const expired = await api(app, 'GET', `/api/v2/views/${view.id}/execute.json`, { auth: big.auth });
    assert.notEqual(expired.body.count, 4242);

    // Small views are always counted exactly, whatever was kept before.
    const pending = list.body.views.find((v: any) => v.title === 'Pending tickets');
    const small = await api(app, 'GET', `/api/v2/views/${pending.id}/execute.json`, { auth: big.auth });
    assert.equal(small.body.count, 0);
  });
});
