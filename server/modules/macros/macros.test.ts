import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { renderPlaceholders } from './placeholders.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let agent2Id: number;
let customerId: number;
let agentAuth: string;
let agent2Auth: string;
let support: number;
let billing: number;
let orgId: number;
let fieldId: number;
let ticket: Record<string, any>;

async function call(method: string, path: string, body?: unknown, auth = acct.auth) {
  return api(app, method, path, { auth, body });
}

async function createMacro(macro: Record<string, unknown>, auth = acct.auth) {
  return call('POST', '/api/v2/macros.json', { macro }, auth);
}

async function newMacro(macro: Record<string, unknown>, auth = acct.auth) {
  const res = await createMacro(macro, auth);
  assert.equal(res.status, 201, res.text);
  return res.body.macro as Record<string, any>;
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  orgId = (await call('POST', '/api/v2/organizations.json', { organization: { name: 'Acme & Sons' } })).body
    .organization.id;
  agentId = (await acct.createUser('Agnes Agent', 'agnes@macros.test', 'agent')).id;
  agent2Id = (await acct.createUser('Bert Agent', 'bert@macros.test', 'agent')).id;
  const customer = await call('POST', '/api/v2/users.json', {
    user: { name: 'Carla <b>Customer</b>', email: 'carla@macros.test', organization_id: orgId },
  });
  assert.equal(customer.status, 201, customer.text);
  customerId = customer.body.user.id;
  agentAuth = acct.authAs('agnes@macros.test');
  agent2Auth = acct.authAs('bert@macros.test');
  support = (await call('POST', '/api/v2/groups.json', { group: { name: 'Support' } })).body.group.id;
  billing = (await call('POST', '/api/v2/groups.json', { group: { name: 'Billing' } })).body.group.id;
  for (const [user_id, group_id] of [
    [agentId, support],
    [agent2Id, billing],
  ]) {
    await call('POST', '/api/v2/group_memberships.json', { group_membership: { user_id, group_id } });
  }
  const field = await call('POST', '/api/v2/ticket_fields.json', {
    ticket_field: { type: 'text', title: 'Order number' },
  });
  assert.equal(field.status, 201, field.text);
  fieldId = field.body.ticket_field.id;
  const created = await call('POST', '/api/v2/tickets.json', {
    ticket: {
      subject: 'Refund please',
      comment: { body: 'I was charged twice.' },
      requester_id: customerId,
      status: 'open',
      priority: 'normal',
      group_id: billing,
      tags: ['billing', 'refund'],
    },
  });
  assert.equal(created.status, 201, created.text);
  ticket = created.body.ticket;
});

after(async () => {
  await app?.close();
});

describe('creating, reading, changing and deleting macros', () => {
  test('create, show, list, update and delete', async () => {
    const res = await createMacro({
      title: 'Billing::Close refund',
      description: 'Tell the customer the refund is on its way',
      actions: [
        { field: 'status', value: 'Solved' },
        { field: 'priority', value: 'low' },
        { field: 'set_tags', value: 'refund Done' },
        { field: 'comment_value', value: 'Your refund is on its way.' },
      ],
    });
    assert.equal(res.status, 201, res.text);
    const macro = res.body.macro;
    assert.equal(res.headers.get('location'), macro.url);
    assert.match(macro.url, new RegExp(`/api/v2/macros/${macro.id}\\.json$`));
    assert.equal(macro.title, 'Billing::Close refund');
    assert.equal(macro.raw_title, 'Billing::Close refund');
    assert.equal(macro.active, true);
    assert.equal(macro.restriction, null);
    assert.deepEqual(macro.actions, [
      { field: 'status', value: 'solved' },
      { field: 'priority', value: 'low' },
      { field: 'set_tags', value: 'refund done' },
      { field: 'comment_value', value: 'Your refund is on its way.' },
    ]);

    const shown = await call('GET', `/api/v2/macros/${macro.id}.json`, undefined, agentAuth);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.macro, macro);

    const updated = await call('PUT', `/api/v2/macros/${macro.id}.json`, {
      macro: {
        title: 'Billing::Refund sent',
        active: false,
        actions: [{ field: 'status', value: 'pending' }],
      },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.macro.title, 'Billing::Refund sent');
    assert.equal(updated.body.macro.active, false);
    assert.deepEqual(updated.body.macro.actions, [{ field: 'status', value: 'pending' }]);
    const active = await call('GET', '/api/v2/macros/active.json');
    assert.ok(!active.body.macros.some((m: any) => m.id === macro.id));

    assert.equal((await call('DELETE', `/api/v2/macros/${macro.id}.json`)).status, 204);
    assert.equal((await call('GET', `/api/v2/macros/${macro.id}.json`)).status, 404);
  });

  test('filters: active, access, category; search; categories; cursor pages', async () => {
    const a = await newMacro({
      title: 'Shipping::Where is my parcel',
      actions: [{ field: 'status', value: 'pending' }],
    });
    const b = await newMacro({
      title: 'Shipping :: Lost parcel',
      actions: [{ field: 'priority', value: 'high' }],
    });
    const c = await newMacro({ title: 'Greeting', actions: [{ field: 'comment_value', value: 'Hello!' }] });
    const byCategory = await call('GET', '/api/v2/macros.json?category=shipping');
    assert.deepEqual(
      byCategory.body.macros.map((m: any) => m.id),
      [a.id, b.id],
    );
    const search = await call('GET', '/api/v2/macros/search.json?query=PARCEL');
    assert.deepEqual(
      search.body.macros.map((m: any) => m.id),
      [a.id, b.id],
    );
    const categories = await call('GET', '/api/v2/macros/categories.json');
    assert.ok(categories.body.categories.includes('Shipping'));
    assert.ok(!categories.body.categories.includes('Greeting'));
    const account = await call('GET', '/api/v2/macros.json?access=account&per_page=100');
    assert.ok(account.body.macros.some((m: any) => m.id === c.id));
    const cursor = await call('GET', '/api/v2/macros.json?page[size]=1');
    assert.equal(cursor.body.macros.length, 1);
    assert.equal(cursor.body.meta.has_more, true);
  });
});

describe('validation', () => {
  async function rejected(macro: Record<string, unknown>, field: string, pattern: RegExp) {
    const res = await createMacro({ title: 'Bad', ...macro });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error, 'RecordInvalid');
    const detail = res.body.details[field]?.[0];
    assert.ok(detail, `details name ${field}: ${res.text}`);
    assert.match(detail.description, pattern);
    return detail;
  }

  test('an unknown action field is refused, naming it', async () => {
    const detail = await rejected(
      {
        actions: [
          { field: 'status', value: 'open' },
          { field: 'launch_rocket', value: 'now' },
        ],
      },
      'actions',
      /actions\[1\].*launch_rocket/,
    );
    assert.equal(detail.error, 'UnknownField');
  });

  test('bad values, missing actions, placeholders that do not parse, unknown references', async () => {
    await rejected({ actions: [{ field: 'status', value: 'exploded' }] }, 'actions', /exploded/);
    await rejected({ actions: [{ field: 'status', value: 'new' }] }, 'actions', /"new"/);
    await rejected({ actions: [{ field: 'assignee_id', value: 'someone' }] }, 'actions', /someone/);
    await rejected(
      { actions: [{ field: 'comment_mode_is_public', value: 'maybe' }] },
      'actions',
      /true or false/,
    );
    await rejected(
      { actions: [{ field: 'comment_value', value: 'Hi {{ticket.requester.name' }] },
      'actions',
      /placeholder/,
    );
    await rejected({ actions: [] }, 'actions', /at least one action/);
    await rejected({ actions: [{ field: 'group_id', value: 987654 }] }, 'actions', /987654/);
    await rejected(
      { actions: [{ field: 'assignee_id', value: customerId }] },
      'actions',
      new RegExp(String(customerId)),
    );
    await rejected({ actions: [{ field: 'custom_fields_987654', value: 'x' }] }, 'actions', /987654/);
    const blank = await call('POST', '/api/v2/macros.json', {
      macro: { actions: [{ field: 'status', value: 'open' }] },
    });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.details.title[0].error, 'BlankValue');
  });
});

describe('applying a macro', () => {
  let macro: Record<string, any>;

  before(async () => {
    macro = await newMacro({
      title: 'Take it and ask for the order',
      actions: [
        { field: 'status', value: 'pending' },
        { field: 'priority', value: 'high' },
        { field: 'type', value: 'question' },
        { field: 'assignee_id', value: 'current_user' },
        { field: 'group_id', value: String(support) },
        { field: 'current_tags', value: 'waiting' },
        { field: 'remove_tags', value: 'refund' },
        { field: `custom_fields_${fieldId}`, value: 'A-123' },
        { field: 'subject', value: 'Refund (order needed)' },
        {
          field: 'comment_value',
          value:
            'Hi {{ticket.requester.first_name}} ({{ticket.requester.email}}), ticket #{{ticket.id}} "{{ticket.title}}" is {{ticket.status}} with {{ticket.assignee.name}} in {{ticket.group.name}} for {{ticket.organization.name}}.{{ticket.no_such_thing}} {{current_user.first_name}} {{ticket.url}}',
        },
        { field: 'comment_mode_is_public', value: false },
      ],
    });
  });

  test('on a ticket: the whole ticket after the changes and the rendered comment; nothing is written', async () => {
    const before = await call('GET', `/api/v2/tickets/${ticket.id}.json`);
    const audits = await call('GET', `/api/v2/tickets/${ticket.id}/audits.json`);
    const res = await call(
      'GET',
      `/api/v2/tickets/${ticket.id}/macros/${macro.id}/apply.json`,
      undefined,
      agentAuth,
    );
    assert.equal(res.status, 200, res.text);
    const result = res.body.result;
    assert.equal(result.ticket.id, ticket.id);
    assert.equal(result.ticket.status, 'pending');
    assert.equal(result.ticket.priority, 'high');
    assert.equal(result.ticket.type, 'question');
    assert.equal(result.ticket.assignee_id, agentId);
    assert.equal(result.ticket.group_id, support);
    assert.equal(result.ticket.subject, 'Refund (order needed)');
    assert.deepEqual(result.ticket.tags, ['billing', 'waiting']);
    assert.deepEqual(
      result.ticket.custom_fields.find((f: any) => f.id === fieldId),
      { id: fieldId, value: 'A-123' },
    );
    assert.equal(result.ticket.requester_id, customerId, 'untouched attributes stay');
    assert.equal(result.ticket.url, before.body.ticket.url);
    assert.equal(result.comment.public, false);
    assert.deepEqual(result.comment.scoped_body, []);
    const host = new URL(before.body.ticket.url).host;
    assert.equal(
      result.comment.body,
      `Hi Carla (carla@macros.test), ticket #${ticket.id} "Refund (order needed)" is pending with Agnes Agent in Support for Acme & Sons. Agnes ${host}/agent/tickets/${ticket.id}`,
    );
    assert.match(result.comment.html_body, /Hi Carla \(carla@macros\.test\)/);
    assert.match(result.comment.html_body, /Acme &amp; Sons/);

    const after = await call('GET', `/api/v2/tickets/${ticket.id}.json`);
    assert.deepEqual(after.body.ticket, before.body.ticket, 'the ticket is unchanged');
    const auditsAfter = await call('GET', `/api/v2/tickets/${ticket.id}/audits.json`);
    assert.equal(auditsAfter.body.audits.length, audits.body.audits.length, 'no audit was written');
  });

  test('without a ticket: only the changes, placeholders left for when the comment is written', async () => {
    const res = await call('GET', `/api/v2/macros/${macro.id}/apply.json`, undefined, agentAuth);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.result.ticket, {
      status: 'pending',
      priority: 'high',
      type: 'question',
      assignee_id: agentId,
      group_id: support,
      additional_tags: ['waiting'],
      remove_tags: ['refund'],
      custom_fields: [{ id: fieldId, value: 'A-123' }],
      fields: [{ id: fieldId, value: 'A-123' }],
      subject: 'Refund (order needed)',
    });
    assert.match(res.body.result.comment.body, /^Hi \{\{ticket\.requester\.first_name\}\}/);
    assert.equal(res.body.result.comment.public, false);
  });

  test('HTML comments escape the values they render; [channel, text] comments are scoped', async () => {
    const htmlMacro = await newMacro({
      title: 'HTML',
      actions: [
        {
          field: 'comment_value_html',
          value: '<p>Dear <strong>{{ticket.requester.name}}</strong></p><script>x()</script>',
        },
      ],
    });
    const res = await call('GET', `/api/v2/tickets/${ticket.id}/macros/${htmlMacro.id}/apply.json`);
    assert.equal(res.status, 200, res.text);
    assert.equal(
      res.body.result.comment.html_body,
      '<p>Dear <strong>Carla &lt;b&gt;Customer&lt;/b&gt;</strong></p>',
    );
    assert.equal(res.body.result.comment.body, 'Dear Carla <b>Customer</b>');
    assert.equal(res.body.result.comment.public, true);

    const scoped = await newMacro({
      title: 'Scoped',
      actions: [{ field: 'comment_value', value: ['channel:all', 'Thanks {{current_user.name}}'] }],
    });
    const applied = await call(
      'GET',
      `/api/v2/tickets/${ticket.id}/macros/${scoped.id}/apply.json`,
      undefined,
      agent2Auth,
    );
    assert.equal(applied.body.result.comment.body, 'Thanks Bert Agent');
    assert.deepEqual(applied.body.result.comment.scoped_body, [['channel:all', 'Thanks Bert Agent']]);
    const setTags = await newMacro({
      title: 'Tags',
      actions: [{ field: 'set_tags', value: ['only', 'these'] }],
    });
    const replaced = await call('GET', `/api/v2/tickets/${ticket.id}/macros/${setTags.id}/apply.json`);
    assert.deepEqual(replaced.body.result.ticket.tags, ['only', 'these']);
    assert.equal(replaced.body.result.comment, undefined, 'no comment when the macro adds none');
  });

  test('a ticket the caller cannot see, or another account’s, is 404', async () => {
    const restricted = await acct.createUser('Rita Restricted', 'rita@macros.test', 'agent');
    await call('PUT', `/api/v2/users/${restricted.id}.json`, { user: { ticket_restriction: 'assigned' } });
    const res = await call(
      'GET',
      `/api/v2/tickets/${ticket.id}/macros/${macro.id}/apply.json`,
      undefined,
      acct.authAs('rita@macros.test'),
    );
    assert.equal(res.status, 404);
    const cross = await api(app, 'GET', `/api/v2/tickets/${ticket.id}/macros/${macro.id}/apply.json`, {
      auth: other.auth,
    });
    assert.equal(cross.status, 404);
    for (const path of [`/api/v2/macros/${macro.id}.json`, `/api/v2/macros/${macro.id}/apply.json`]) {
      assert.equal((await api(app, 'GET', path, { auth: other.auth })).status, 404, path);
    }
    const list = await api(app, 'GET', '/api/v2/macros.json?per_page=100', { auth: other.auth });
    assert.deepEqual(list.body.macros, []);
  });
});

describe('who sees which macros', () => {
  test('an agent’s macro is personal: the owner sees and applies it, nobody else does', async () => {
    const mine = await newMacro(
      { title: 'My shortcut', actions: [{ field: 'status', value: 'open' }] },
      agentAuth,
    );
    assert.deepEqual(mine.restriction, { type: 'User', id: agentId });
    const listed = await call('GET', '/api/v2/macros.json?per_page=100', undefined, agentAuth);
    assert.ok(listed.body.macros.some((m: any) => m.id === mine.id));
    assert.ok(
      listed.body.macros.some((m: any) => m.restriction === null),
      'agents see shared macros too',
    );
    for (const auth of [agent2Auth, acct.auth]) {
      assert.equal((await call('GET', `/api/v2/macros/${mine.id}.json`, undefined, auth)).status, 404);
      assert.equal((await call('GET', `/api/v2/macros/${mine.id}/apply.json`, undefined, auth)).status, 404);
      const applyOnTicket = await call(
        'GET',
        `/api/v2/tickets/${ticket.id}/macros/${mine.id}/apply.json`,
        undefined,
        auth,
      );
      assert.equal(applyOnTicket.status, 404);
      const list = await call('GET', '/api/v2/macros.json?per_page=100', undefined, auth);
      assert.ok(!list.body.macros.some((m: any) => m.id === mine.id));
    }
    const edited = await call(
      'PUT',
      `/api/v2/macros/${mine.id}.json`,
      { macro: { title: 'Mine' } },
      agentAuth,
    );
    assert.equal(edited.status, 200, edited.text);
  });

  test('agents cannot share macros or change shared ones; group macros are for their groups', async () => {
    const status = [{ field: 'status', value: 'open' }];
    assert.equal(
      (await createMacro({ title: 'S', actions: status, restriction: null }, agentAuth)).status,
      403,
    );
    const shared = await newMacro({ title: 'Shared one', actions: status });
    assert.equal(
      (await call('PUT', `/api/v2/macros/${shared.id}.json`, { macro: { title: 'x' } }, agentAuth)).status,
      403,
    );
    assert.equal(
      (await call('DELETE', `/api/v2/macros/${shared.id}.json`, undefined, agentAuth)).status,
      403,
    );
    const group = await newMacro({
      title: 'Billing only',
      actions: status,
      restriction: { type: 'Group', ids: [billing] },
    });
    assert.equal((await call('GET', `/api/v2/macros/${group.id}.json`, undefined, agent2Auth)).status, 200);
    assert.equal((await call('GET', `/api/v2/macros/${group.id}.json`, undefined, agentAuth)).status, 404);
    const end = acct.authAs('carla@macros.test');
    assert.equal((await call('GET', '/api/v2/macros.json', undefined, end)).status, 403);
  });
});

describe('renderPlaceholders', () => {
  test('renders a ticket and the acting user, leaves unparseable text alone, escapes for HTML', async () => {
    const db = app.runtime.services.tenantDb(acct.id);
    const row = await db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticket.id)
      .executeTakeFirstOrThrow();
    const ctx = { ticket: row, actor: { userId: agentId } };
    assert.equal(
      await renderPlaceholders(
        db,
        '{{ticket.requester.name}} / {{current_user.name}} / {{ticket.priority}}',
        ctx,
      ),
      'Carla <b>Customer</b> / Agnes Agent / normal',
    );
    assert.equal(
      await renderPlaceholders(db, '{{ticket.requester.name}}', { ...ctx, html: true }),
      'Carla &lt;b&gt;Customer&lt;/b&gt;',
    );
    assert.equal(await renderPlaceholders(db, 'Broken {{ ticket.id', ctx), 'Broken {{ ticket.id');
    assert.equal(await renderPlaceholders(db, '{{ticket.assignee.name}}|{{nope.deeper}}', ctx), '|');
    assert.equal(
      await renderPlaceholders(db, '{% include "/etc/passwd" %}', ctx),
      '{% include "/etc/passwd" %}',
    );
  });
});
