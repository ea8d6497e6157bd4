import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ApiResponse,
  api,
  startTestApp,
  type TestAccount,
  type TestApp,
} from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let agentAuth: string;
let aliceId: number;
let aliceAuth: string;
let bobId: number;
let bobAuth: string;
let orgId: number;
let groupId: number;
let planFieldId: number;
/** The account's tickets by name. */
const t: Record<string, number> = {};
let otherPrinterId: number;
let otherUserId: number;

async function ok(res: ApiResponse, status = 200): Promise<any> {
  assert.equal(res.status, status, res.text);
  return res.body;
}

async function createTicket(ticket: Record<string, unknown>, account = acct): Promise<number> {
  const body = await ok(
    await api(app, 'POST', '/api/v2/tickets.json', { auth: account.auth, body: { ticket } }),
    201,
  );
  return body.ticket.id;
}

async function updateTicket(id: number, ticket: Record<string, unknown>) {
  await ok(await api(app, 'PUT', `/api/v2/tickets/${id}.json`, { auth: acct.auth, body: { ticket } }));
}

function searchPath(query: string, params: Record<string, string> = {}, path = '/api/v2/search.json') {
  return `${path}?${new URLSearchParams({ query, ...params })}`;
}

async function search(query: string, options: { auth?: string; params?: Record<string, string> } = {}) {
  const res = await api(app, 'GET', searchPath(query, options.params), { auth: options.auth ?? acct.auth });
  return ok(res);
}

/** The ids of the results of one type, in result order. */
async function found(
  query: string,
  options: { auth?: string; params?: Record<string, string>; type?: string } = {},
): Promise<number[]> {
  const body = await search(query, options);
  return body.results.filter((r: any) => r.result_type === (options.type ?? 'ticket')).map((r: any) => r.id);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

async function sameTickets(query: string, expected: number[], options: { auth?: string } = {}) {
  assert.deepEqual(sorted(await found(query, options)), sorted(expected), query);
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();

  orgId = (
    await ok(
      await api(app, 'POST', '/api/v2/organizations.json', {
        auth: acct.auth,
        body: {
          organization: {
            name: 'Acme Widgets',
            domain_names: ['acme.example'],
            tags: ['enterprise'],
            external_id: 'org-acme',
            notes: 'Prefers the telephone',
          },
        },
      }),
      201,
    )
  ).organization.id;
  groupId = (
    await ok(
      await api(app, 'POST', '/api/v2/groups.json', {
        auth: acct.auth,
        body: { group: { name: 'Billing' } },
      }),
      201,
    )
  ).group.id;
  agentId = (await acct.createUser('Agatha Agent', 'agatha@search.test', 'agent')).id;
  agentAuth = acct.authAs('agatha@search.test');
  await ok(
    await api(app, 'POST', '/api/v2/group_memberships.json', {
      auth: acct.auth,
      body: { group_membership: { user_id: agentId, group_id: groupId } },
    }),
    201,
  );
  aliceId = (
    await ok(
      await api(app, 'POST', '/api/v2/users.json', {
        auth: acct.auth,
        body: {
          user: {
            name: 'Alice Zoë Åberg',
            email: 'alice@acme.example',
            organization_id: orgId,
            phone: '+44 20 7946 0958',
            tags: ['gold'],
            external_id: 'cust-alice',
            notes: 'Speaks Esperanto',
          },
        },
      }),
      201,
    )
  ).user.id;
  aliceAuth = acct.authAs('alice@acme.example');
  bobId = (await acct.createUser('Bob Builder', 'bob@search.test')).id;
  bobAuth = acct.authAs('bob@search.test');
  planFieldId = (
    await ok(
      await api(app, 'POST', '/api/v2/ticket_fields.json', {
        auth: acct.auth,
        body: { ticket_field: { type: 'text', title: 'Plan' } },
      }),
      201,
    )
  ).ticket_field.id;

  t.printer = await createTicket({
    subject: 'Printer on fire',
    comment: { body: 'The office printer is smoking' },
    requester_id: aliceId,
    organization_id: orgId,
    assignee_id: agentId,
    group_id: groupId,
    status: 'open',
    priority: 'high',
    type: 'incident',
    tags: ['hardware', 'vip'],
    external_id: 'ext-printer',
    custom_fields: [{ id: planFieldId, value: 'Gold' }],
  });
  await updateTicket(t.printer, { comment: { body: 'Checked the zebra cable', public: false } });
  await updateTicket(t.printer, { comment: { body: 'We ordered a café crème for the technician' } });
  t.refund = await createTicket({
    subject: 'Refund request',
    comment: { body: 'Please refund my order' },
    requester_id: bobId,
    status: 'pending',
    priority: 'low',
    type: 'question',
    tags: ['billing'],
  });
  t.password = await createTicket({
    subject: 'Password reset',
    comment: { body: 'Cannot log in' },
    requester_id: aliceId,
    status: 'solved',
    priority: 'normal',
    type: 'task',
    due_at: '2029-03-01T10:00:00Z',
    tags: ['account'],
    via: { channel: 'email' },
  });
  t.jam = await createTicket({
    subject: 'Paper jam when printing',
    comment: { body: 'Tray two is stuck' },
    requester_id: bobId,
    status: 'new',
    priority: 'urgent',
  });
  t.toner = await createTicket({
    subject: 'Toner order',
    comment: { body: 'Toner for the second floor printer please' },
    requester_id: bobId,
    status: 'hold',
  });

  otherPrinterId = await createTicket(
    { subject: 'Printer on fire', comment: { body: 'The office printer is smoking' }, status: 'open' },
    other,
  );
  otherUserId = (await other.createUser('Alice Elsewhere', 'alice@other.test', 'agent')).id;
});

after(async () => {
  await app?.close();
});

describe('free text', () => {
  test('words in subject, description and every comment are found; the response has Zendesk’s shape', async () => {
    const body = await search('printer');
    assert.equal(body.facets, null);
    assert.equal(body.next_page, null);
    assert.equal(body.previous_page, null);
    assert.equal(body.count, 2);
    const printer = body.results.find((r: any) => r.id === t.printer);
    assert.equal(printer.result_type, 'ticket');
    assert.equal(printer.subject, 'Printer on fire');
    assert.match(printer.url, new RegExp(`/api/v2/tickets/${t.printer}\\.json$`));
    assert.deepEqual(printer.custom_fields, [{ id: planFieldId, value: 'Gold' }]);
    await sameTickets('smoking', [t.printer]);
    await sameTickets('technician', [t.printer]);
    await sameTickets('zebra', [t.printer]);
    await sameTickets('stuck', [t.jam]);
  });

  test('accents and case are folded on both sides', async () => {
    await sameTickets('CAFE creme', [t.printer]);
    await sameTickets('café', [t.printer]);
  });

  test('a phrase matches its words in order; words match anywhere', async () => {
    await sameTickets('"printer on fire"', [t.printer]);
    await sameTickets('"fire on printer"', []);
    await sameTickets('fire printer', [t.printer]);
  });

  test('word* matches prefixes', async () => {
    await sameTickets('print*', [t.printer, t.jam, t.toner]);
  });

  test('- excludes words, phrases and fields', async () => {
    await sameTickets('print* -fire', [t.jam, t.toner]);
    await sameTickets('print* -"paper jam"', [t.printer, t.toner]);
    await sameTickets('print* -tags:vip', [t.jam, t.toner]);
    await sameTickets('print* -status:new', [t.printer, t.toner]);
  });

  test('more relevant tickets come first: a subject match outranks a comment match', async () => {
    const ids = await found('printer');
    assert.deepEqual(ids, [t.printer, t.toner]);
  });

  test('subject:, description: and comment: look in that part only', async () => {
    await sameTickets('subject:printer', [t.printer]);
    await sameTickets('subject:zebra', []);
    await sameTickets('comment:zebra', [t.printer]);
    await sameTickets('description:smoking', [t.printer]);
    await sameTickets('description:technician', []);
    await sameTickets('comment:technician', [t.printer]);
    await sameTickets('subject:"paper jam"', [t.jam]);
    await sameTickets('subject:toner subject:refund', [t.toner, t.refund]);
  });

  test('edits keep the index right: new subjects, removed text, private comments, deletion', async () => {
    const id = await createTicket({ subject: 'Kettle broken', comment: { body: 'The kettle whistles' } });
    await sameTickets('kettle', [id]);
    await updateTicket(id, { subject: 'Toaster broken' });
    await sameTickets('toaster', [id]);
    await sameTickets('subject:kettle', []);
    await sameTickets('whistles', [id], { auth: acct.auth });

    const comments = await ok(
      await api(app, 'GET', `/api/v2/tickets/${id}/comments.json`, { auth: acct.auth }),
    );
    const first = comments.comments[0].id;
    await ok(
      await api(app, 'PUT', `/api/v2/tickets/${id}/comments/${first}/make_private.json`, { auth: acct.auth }),
    );
    await updateTicket(id, { requester_id: bobId });
    await sameTickets('whistles', [], { auth: bobAuth });
    await sameTickets('toaster', [id], { auth: bobAuth });
    await sameTickets('whistles', [id]);

    await ok(await api(app, 'DELETE', `/api/v2/tickets/${id}.json`, { auth: acct.auth }), 204);
    await sameTickets('toaster', []);
  });
});

describe('ticket fields', () => {
  test('status, with comparisons; the same field twice is either', async () => {
    await sameTickets('status:open', [t.printer]);
    await sameTickets('status<solved', [t.printer, t.refund, t.jam, t.toner]);
    await sameTickets('status<=pending', [t.printer, t.refund, t.jam]);
    await sameTickets('status>=solved', [t.password]);
    await sameTickets('status>hold', [t.password]);
    await sameTickets('status:open status:pending', [t.printer, t.refund]);
    await sameTickets('printer status:hold', [t.toner]);
    await sameTickets('printer status:open status:hold', [t.printer, t.toner]);
  });

  test('priority, with comparisons', async () => {
    await sameTickets('priority>normal', [t.printer, t.jam]);
    await sameTickets('priority:low', [t.refund]);
    await sameTickets('priority<=normal', [t.refund, t.password]);
    await sameTickets('priority:none', [t.toner]);
  });

  test('ticket_type: and type:<ticket type>', async () => {
    await sameTickets('ticket_type:incident', [t.printer]);
    await sameTickets('type:question', [t.refund]);
    await sameTickets('type:task type:incident', [t.printer, t.password]);
  });

  test('assignee: by me, none, id, email and name', async () => {
    await sameTickets('assignee:me', [t.printer], { auth: agentAuth });
    // Solving an unassigned ticket assigned it to the admin who solved it.
    await sameTickets('assignee:me', [t.password]);
    await sameTickets(`assignee:${agentId}`, [t.printer]);
    await sameTickets('assignee:agatha@search.test', [t.printer]);
    await sameTickets('assignee:"Agatha Agent"', [t.printer]);
    await sameTickets('assignee:none', [t.refund, t.jam, t.toner]);
    await sameTickets('-assignee:none', [t.printer, t.password]);
    await sameTickets(`assignee:${agentId} assignee:none`, [t.printer, t.refund, t.jam, t.toner]);
  });

  test('requester: and submitter:', async () => {
    await sameTickets('requester:alice@acme.example', [t.printer, t.password]);
    await sameTickets(`requester:${bobId}`, [t.refund, t.jam, t.toner]);
    await sameTickets(`-requester:${bobId}`, [t.printer, t.password]);
    await sameTickets('submitter:me', [t.printer, t.refund, t.password, t.jam, t.toner]);
    await sameTickets(`submitter:${bobId}`, []);
  });

  test('group: and organization: by id, name or none', async () => {
    await sameTickets('group:Billing', [t.printer]);
    await sameTickets(`group:${groupId}`, [t.printer]);
    await sameTickets('group:none', [t.refund, t.password, t.jam, t.toner]);
    await sameTickets('organization:"Acme Widgets" type:ticket', [t.printer, t.password]);
    await sameTickets(`organization:${orgId} type:ticket`, [t.printer, t.password]);
    await sameTickets('organization:none type:ticket', [t.refund, t.jam, t.toner]);
  });

  test('tags: (and tag:), either of several, and prefixes', async () => {
    await sameTickets('tags:vip', [t.printer]);
    await sameTickets('tags:vip tag:billing', [t.printer, t.refund]);
    await sameTickets('tags:hard*', [t.printer]);
    await sameTickets('tags:VIP type:ticket', [t.printer]);
  });

  test('via:, external_id: and custom_field_<id>:', async () => {
    await sameTickets('via:email', [t.password]);
    await sameTickets('via:api', [t.printer, t.refund, t.jam, t.toner]);
    await sameTickets('external_id:ext-printer', [t.printer]);
    await sameTickets(`custom_field_${planFieldId}:gold`, [t.printer]);
    await sameTickets(`custom_field_${planFieldId}:silver`, []);
  });

  test('created, updated, solved and due_date with absolute and relative dates', async () => {
    const db = app.runtime.services.tenantDb(acct.id);
    await db
      .updateTable('tickets')
      .set({ created_at: new Date('2020-03-05T15:00:00Z'), updated_at: new Date('2020-03-06T09:00:00Z') })
      .where('id', '=', t.refund)
      .execute();
    const recent = [t.printer, t.password, t.jam, t.toner];
    await sameTickets('created:2020-03-05', [t.refund]);
    await sameTickets('created<2020-03-05 type:ticket', []);
    await sameTickets('created<=2020-03-05', [t.refund]);
    await sameTickets('created>2020-03-05 type:ticket', recent);
    await sameTickets('created>=2020-03-05T15:00:00Z created<2020-03-05T15:00:01Z', [t.refund]);
    await sameTickets('created<2days', [t.refund]);
    await sameTickets('created>2days type:ticket', recent);
    await sameTickets('created>30minutes type:ticket', recent);
    await sameTickets('created<1years', [t.refund]);
    await sameTickets('updated<2020-03-07', [t.refund]);
    await sameTickets('updated>4hours type:ticket', recent);
    await sameTickets('solved>1hours', [t.password]);
    await sameTickets('-solved>1hours type:ticket', [t.printer, t.refund, t.jam, t.toner]);
    await sameTickets('due_date<2030-01-01', [t.password]);
    await sameTickets('due_date:2029-03-01', [t.password]);
    await sameTickets('due_date>2029-03-01', []);
  });
});

describe('users and organizations', () => {
  test('bare words find users by name, email, phone, notes; accents folded', async () => {
    assert.deepEqual(await found('alice', { type: 'user' }), [aliceId]);
    assert.deepEqual(await found('zoe', { type: 'user' }), [aliceId]);
    assert.deepEqual(await found('aberg', { type: 'user' }), [aliceId]);
    assert.deepEqual(await found('alice@acme.example', { type: 'user' }), [aliceId]);
    assert.deepEqual(await found('esperanto', { type: 'user' }), [aliceId]);
    const body = await search('alice type:user');
    assert.equal(body.results[0].result_type, 'user');
    assert.equal(body.results[0].email, 'alice@acme.example');
  });

  test('user fields: role, email, name, organization, tags, external_id, phone', async () => {
    const users = (q: string) => found(q, { type: 'user' }).then(sorted);
    assert.deepEqual(await users('role:agent'), [agentId]);
    assert.deepEqual(await users('role:admin'), [acct.adminId]);
    assert.deepEqual(await users('email:alice@acme.example'), [aliceId]);
    assert.deepEqual(await users('email:*@search.test'), sorted([agentId, bobId]));
    assert.deepEqual(await users('name:bob'), [bobId]);
    assert.deepEqual(await users('name:builder name:agent'), sorted([agentId, bobId]));
    assert.deepEqual(await users('organization:"Acme Widgets" type:user'), [aliceId]);
    assert.deepEqual(await users('tags:gold type:user'), [aliceId]);
    assert.deepEqual(await users('external_id:cust-alice type:user'), [aliceId]);
    assert.deepEqual(await users('phone:02079460958'), []);
    assert.deepEqual(await users('phone:79460958'), [aliceId]);
    assert.deepEqual(await users('role:end-user -name:alice'), [bobId]);
  });

  test('organizations by name, domain, tags, external_id and notes', async () => {
    const orgs = (q: string) => found(q, { type: 'organization' });
    assert.deepEqual(await orgs('type:organization name:acme'), [orgId]);
    assert.deepEqual(await orgs('domain:acme.example'), [orgId]);
    assert.deepEqual(await orgs('tags:enterprise type:organization'), [orgId]);
    assert.deepEqual(await orgs('external_id:org-acme type:organization'), [orgId]);
    assert.deepEqual(await orgs('telephone'), [orgId]);
    assert.deepEqual(await orgs('widgets'), [orgId]);
    const body = await search('type:organization widgets');
    assert.equal(body.results[0].name, 'Acme Widgets');
    assert.deepEqual(body.results[0].domain_names, ['acme.example']);
  });

  test('without type:, every record type is searched and merged', async () => {
    const body = await search('acme');
    const types = new Set(body.results.map((r: any) => r.result_type));
    assert.deepEqual([...types].sort(), ['organization', 'user']);
    assert.equal(body.count, 2);
  });
});

describe('who sees what', () => {
  test('end-users find only their own tickets, and never by words in internal notes', async () => {
    await sameTickets('printer', [t.printer], { auth: aliceAuth });
    await sameTickets('zebra', [], { auth: aliceAuth });
    await sameTickets('comment:zebra', [], { auth: aliceAuth });
    await sameTickets('technician', [t.printer], { auth: aliceAuth });
    await sameTickets('refund', [], { auth: aliceAuth });
    await sameTickets('refund', [t.refund], { auth: bobAuth });
    await sameTickets('type:ticket', [t.printer, t.password], { auth: aliceAuth });
    const count = await ok(
      await api(app, 'GET', searchPath('type:ticket', {}, '/api/v2/search/count.json'), { auth: aliceAuth }),
    );
    assert.equal(count.count, 2);
  });

  test('end-users find no users but themselves, and only their own organization', async () => {
    assert.deepEqual(await found('type:user', { auth: aliceAuth, type: 'user' }), [aliceId]);
    assert.deepEqual(await found('agatha', { auth: aliceAuth, type: 'user' }), []);
    assert.deepEqual(await found('type:organization', { auth: aliceAuth, type: 'organization' }), [orgId]);
    assert.deepEqual(await found('type:organization', { auth: bobAuth, type: 'organization' }), []);
    const body = await search('type:user type:organization', { auth: bobAuth });
    assert.deepEqual(
      body.results.map((r: any) => [r.result_type, r.id]),
      [['user', bobId]],
    );
  });

  test("another account's records never appear", async () => {
    const mine = await search('printer');
    assert.ok(!mine.results.some((r: any) => r.id === otherPrinterId));
    const users = await found('alice', { type: 'user' });
    assert.ok(!users.includes(otherUserId));
    const theirs = await search('printer', { auth: other.auth });
    assert.deepEqual(
      theirs.results.map((r: any) => r.id),
      [otherPrinterId],
    );
    const theirUsers = await found('alice', { auth: other.auth, type: 'user' });
    assert.deepEqual(theirUsers, [otherUserId]);
    const exported = await ok(
      await api(
        app,
        'GET',
        searchPath('printer', { 'filter[type]': 'ticket' }, '/api/v2/search/export.json'),
        {
          auth: other.auth,
        },
      ),
    );
    assert.deepEqual(
      exported.results.map((r: any) => r.id),
      [otherPrinterId],
    );
  });
});

describe('order and pages', () => {
  test('sort_by and sort_order', async () => {
    const byPriority = await found('type:ticket', { params: { sort_by: 'priority', sort_order: 'asc' } });
    assert.deepEqual(byPriority.slice(0, 4), [t.refund, t.password, t.printer, t.jam]);
    assert.equal(byPriority.at(-1), t.toner, 'no priority sorts last');
    const byStatus = await found('type:ticket', { params: { sort_by: 'status', sort_order: 'desc' } });
    assert.deepEqual(byStatus, [t.password, t.toner, t.refund, t.printer, t.jam]);
    const byCreated = await found('type:ticket', { params: { sort_by: 'created_at', sort_order: 'asc' } });
    assert.equal(byCreated[0], t.refund);
    const byType = await found('type:ticket', { params: { sort_by: 'ticket_type', sort_order: 'asc' } });
    assert.deepEqual(byType.slice(0, 3), [t.printer, t.refund, t.password]);
  });

  test('without free text, the most recently updated come first', async () => {
    await updateTicket(t.jam, { tags: ['hardware'] });
    const ids = await found('type:ticket');
    assert.equal(ids[0], t.jam);
    assert.equal(ids.at(-1), t.refund);
  });

  test('per_page and next_page / previous_page keep the query', async () => {
    const first = await search('type:ticket', {
      params: { per_page: '2', sort_by: 'created_at', sort_order: 'asc' },
    });
    assert.equal(first.count, 5);
    assert.equal(first.results.length, 2);
    assert.equal(first.previous_page, null);
    const next = new URL(first.next_page);
    assert.equal(next.pathname, '/api/v2/search.json');
    assert.equal(next.searchParams.get('query'), 'type:ticket');
    assert.equal(next.searchParams.get('sort_by'), 'created_at');
    assert.equal(next.searchParams.get('page'), '2');
    const seen = [...first.results.map((r: any) => r.id)];
    let url: string | null = first.next_page;
    while (url) {
      const u = new URL(url);
      const page = await ok(await api(app, 'GET', `${u.pathname}${u.search}`, { auth: acct.auth }));
      assert.ok(page.previous_page);
      seen.push(...page.results.map((r: any) => r.id));
      url = page.next_page;
    }
    assert.deepEqual(
      sorted(seen),
      sorted(
        Object.values(t)
          .filter((id) => id !== undefined)
          .slice(0, 5),
      ),
    );
    assert.equal(new Set(seen).size, 5);
  });

  test('the count endpoint', async () => {
    const res = await ok(
      await api(app, 'GET', searchPath('status<solved', {}, '/api/v2/search/count.json'), {
        auth: acct.auth,
      }),
    );
    assert.deepEqual(res, { count: 4 });
  });

  test('export walks every result of one type with cursors', async () => {
    const seen: number[] = [];
    let path: string | null = searchPath(
      'type:ticket',
      { 'filter[type]': 'ticket', 'page[size]': '2' },
      '/api/v2/search/export.json',
    );
    let pages = 0;
    while (path) {
      const body = await ok(await api(app, 'GET', path, { auth: acct.auth }));
      pages += 1;
      assert.equal(body.facets, null);
      assert.ok(body.results.every((r: any) => r.result_type === 'ticket'));
      seen.push(...body.results.map((r: any) => r.id));
      if (body.meta.has_more) {
        assert.ok(body.meta.after_cursor);
        const next = new URL(body.links.next);
        assert.equal(next.searchParams.get('filter[type]'), 'ticket');
        assert.equal(next.searchParams.get('query'), 'type:ticket');
        path = `${next.pathname}${next.search}`;
      } else {
        assert.equal(body.links.next, null);
        path = null;
      }
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, sorted([t.printer, t.refund, t.password, t.jam, t.toner]));

    const users = await ok(
      await api(app, 'GET', searchPath('alice', { 'filter[type]': 'user' }, '/api/v2/search/export.json'), {
        auth: acct.auth,
      }),
    );
    assert.deepEqual(
      users.results.map((r: any) => [r.result_type, r.id]),
      [['user', aliceId]],
    );
  });
});

describe('the 1,000-result limit', () => {
  before(async () => {
    // Volume for the limit, written in one statement; the triggers index these like any other ticket.
    const db = app.runtime.services.tenantDb(acct.id);
    await db
      .insertInto(
        'tickets',
        Array.from({ length: 1005 }, (_, i) => ({
          subject: `Bulk walrus ${i}`,
          description: 'imported walrus ticket',
          status: 'open' as const,
          updated_at: new Date(Date.UTC(2021, 0, 1) + i * 60_000),
        })),
      )
      .execute();
  });

  test('beyond 1,000 matches the count is an estimate; pages stop at 1,000; page 11 of 100 is 422', async () => {
    const last = await search('walrus', { params: { page: '10', per_page: '100' } });
    assert.ok(last.count > 1000, `estimated count ${last.count}`);
    const exact = await search('walrus updated<2021-01-01T00:05:00Z', { params: { per_page: '1' } });
    assert.equal(exact.count, 5, 'up to 1,000 matches the count is exact');
    assert.equal(last.results.length, 100);
    assert.equal(last.next_page, null);
    const partial = await search('walrus', { params: { page: '34', per_page: '30' } });
    assert.equal(partial.results.length, 10, 'results 991–1000 only');
    assert.equal(partial.next_page, null);
    const beyond = await api(app, 'GET', searchPath('walrus', { page: '11', per_page: '100' }), {
      auth: acct.auth,
    });
    assert.equal(beyond.status, 422, beyond.text);
    assert.equal(beyond.body.code, 'CS_SEARCH_RESULT_LIMIT');
  });

  test('more matches than can be ranked are ordered by last update', async () => {
    const page = await search('walrus', { params: { per_page: '3' } });
    assert.deepEqual(
      page.results.map((r: any) => r.subject),
      ['Bulk walrus 1004', 'Bulk walrus 1003', 'Bulk walrus 1002'],
    );
  });

  test('export is not limited', async () => {
    let path: string | null = searchPath(
      'walrus',
      { 'filter[type]': 'ticket', 'page[size]': '100' },
      '/api/v2/search/export.json',
    );
    let total = 0;
    while (path) {
      const body = await ok(await api(app, 'GET', path, { auth: acct.auth }));
      total += body.results.length;
      path = body.links.next
        ? `${new URL(body.links.next).pathname}${new URL(body.links.next).search}`
        : null;
    }
    assert.equal(total, 1005);
  });
});

describe('invalid searches', () => {
  test('unsupported fields, bad values and malformed queries are 400 with the reason', async () => {
    for (const [query, pattern] of [
      ['colour:red', /"colour" is not a field/],
      ['status:opened', /status must be one of/],
      ['created>yesterday', /dates are YYYY-MM-DD/],
      ['"unclosed', /never closed/],
      ['type:user status:open', /applies to tickets/],
      ['*wild', /wildcard/],
    ] as const) {
      const res = await api(app, 'GET', searchPath(query), { auth: acct.auth });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.error, 'unavailable');
      assert.equal(res.body.code, 'CS_SEARCH_INVALID');
      assert.match(res.body.description, pattern);
    }
  });

  test('a missing query, cursor parameters on search.json, and export without filter[type] are 400', async () => {
    for (const path of [
      '/api/v2/search.json',
      '/api/v2/search.json?query=',
      '/api/v2/search/count.json',
      `/api/v2/search.json?query=printer&page%5Bsize%5D=10`,
      '/api/v2/search/export.json?query=printer',
      '/api/v2/search/export.json?query=status%3Aopen&filter%5Btype%5D=user',
    ]) {
      const res = await api(app, 'GET', path, { auth: acct.auth });
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'CS_SEARCH_INVALID', path);
    }
  });

  test('search needs a signed-in user', async () => {
    const res = await api(app, 'GET', searchPath('printer'));
    assert.equal(res.status, 401);
  });
});
