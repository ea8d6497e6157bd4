import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import type { HavenError } from '../../platform/http/errors.ts';
import {
  requiredTicketFieldsMissing,
  validateOrganizationFieldValues,
  validateTicketFieldValues,
  validateUserFieldValues,
} from './fields.commands.ts';
import { activeCustomTicketFieldIds } from './fields.queries.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentAuth: string;
let endUserAuth: string;
let endUserId: number;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function createField(kind: string, field: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'POST', `/api/v2/${kind}_fields.json`, { auth, body: { [`${kind}_field`]: field } });
}

async function created(kind: string, field: Record<string, unknown>, auth = acct.auth) {
  const res = await createField(kind, field, auth);
  assert.equal(res.status, 201, res.text);
  return res.body[`${kind}_field`];
}

function tenantDb(account: TestAccount): TenantDb {
  return new TenantDb(account.id, app.runtime.services.database.db);
}

/** Runs `fn`, expecting Zendesk's 422 on `attribute`; returns the description. */
async function rejects422(fn: () => Promise<unknown>, attribute: string): Promise<string> {
  try {
    await fn();
  } catch (err) {
    const e = err as HavenError;
    assert.equal(e.status, 422, String(err));
    const body = e.body() as any;
    assert.equal(body.error, 'RecordInvalid');
    assert.ok(body.details[attribute], JSON.stringify(body));
    return body.details[attribute][0].description;
  }
  assert.fail('expected a 422');
}

function expect422(res: { status: number; body: any; text: string }, attribute: string, error?: string) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error, 'RecordInvalid');
  assert.ok(res.body.details[attribute], res.text);
  if (error) assert.equal(res.body.details[attribute][0].error, error);
  return res.body.details[attribute][0].description as string;
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
  await acct.createUser('Agent Fields', 'agent@fields.test', 'agent');
  endUserId = (await acct.createUser('Erin Fields', 'erin@fields.test', 'end-user')).id;
  agentAuth = acct.authAs('agent@fields.test');
  endUserAuth = acct.authAs('erin@fields.test');
});

after(async () => {
  await app?.close();
});

describe('system ticket fields', () => {
  test('every new account starts with the seven system fields, not removable', async () => {
    const fresh = await app.createAccount();
    const res = await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: fresh.auth });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.ticket_fields.map((f: any) => f.type),
      ['subject', 'description', 'status', 'tickettype', 'priority', 'group', 'assignee'],
    );
    assert.equal(res.body.count, 7);
    assert.equal(res.body.next_page, null);
    for (const f of res.body.ticket_fields) {
      assert.equal(f.removable, false);
      assert.equal(f.active, true);
      assert.match(f.url, new RegExp(`/api/v2/ticket_fields/${f.id}\\.json$`));
      assert.match(f.created_at, ISO);
    }
    const status = res.body.ticket_fields.find((f: any) => f.type === 'status');
    assert.deepEqual(
      status.system_field_options.map((o: any) => o.value),
      ['new', 'open', 'pending', 'hold', 'solved', 'closed'],
    );
    const priority = res.body.ticket_fields.find((f: any) => f.type === 'priority');
    assert.deepEqual(
      priority.system_field_options.map((o: any) => o.value),
      ['low', 'normal', 'high', 'urgent'],
    );
    const type = res.body.ticket_fields.find((f: any) => f.type === 'tickettype');
    assert.equal(type.system_field_options.length, 4);
    const subject = res.body.ticket_fields.find((f: any) => f.type === 'subject');
    assert.deepEqual(subject.system_field_options, []);
    assert.equal(subject.visible_in_portal, true);
    assert.deepEqual(await activeCustomTicketFieldIds(tenantDb(fresh)), []);
  });

  test('cannot be deleted, change type, take options or (mostly) be deactivated; may be renamed', async () => {
    const list = await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: acct.auth });
    const byType = (t: string) => list.body.ticket_fields.find((f: any) => f.type === t);
    const subject = byType('subject');

    const del = await api(app, 'DELETE', `/api/v2/ticket_fields/${subject.id}.json`, { auth: acct.auth });
    assert.match(expect422(del, 'base', 'NotRemovable'), /Subject is a system field and cannot be deleted/);

    const retype = await api(app, 'PUT', `/api/v2/ticket_fields/${subject.id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { type: 'text' } },
    });
    assert.match(expect422(retype, 'type'), /system field; its type cannot change/);

    const options = await api(app, 'PUT', `/api/v2/ticket_fields/${byType('status').id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { custom_field_options: [{ name: 'X', value: 'x' }] } },
    });
    expect422(options, 'custom_field_options');

    const off = await api(app, 'PUT', `/api/v2/ticket_fields/${subject.id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { active: false } },
    });
    expect422(off, 'active');

    const renamed = await api(app, 'PUT', `/api/v2/ticket_fields/${subject.id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { type: 'subject', title: 'Summary', title_in_portal: 'What is it about?' } },
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.ticket_field.title, 'Summary');
    assert.equal(renamed.body.ticket_field.raw_title_in_portal, 'What is it about?');
    assert.equal(renamed.body.ticket_field.type, 'subject');

    const priority = await api(app, 'PUT', `/api/v2/ticket_fields/${byType('priority').id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { active: false } },
    });
    assert.equal(priority.status, 200);
    assert.equal(priority.body.ticket_field.active, false);
    await api(app, 'PUT', `/api/v2/ticket_fields/${byType('priority').id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { active: true } },
    });
  });
});

describe('ticket fields CRUD', () => {
  test('create answers 201 with Location and the full Zendesk shape, and appends ticket_field.created', async () => {
    const res = await createField('ticket', {
      type: 'text',
      title: 'Order number',
      description: 'The order this is about',
      agent_description: 'Look it up in the shop',
      required: true,
      visible_in_portal: true,
      editable_in_portal: true,
      title_in_portal: 'Your order number',
      tag: 'ignored-for-text',
      account_id: 999,
    });
    assert.equal(res.status, 201, res.text);
    const f = res.body.ticket_field;
    assert.equal(res.headers.get('location'), f.url);
    assert.match(f.url, new RegExp(`/api/v2/ticket_fields/${f.id}\\.json$`));
    assert.deepEqual(Object.keys(f).sort(), [
      'active',
      'agent_description',
      'collapsed_for_agents',
      'created_at',
      'custom_field_options',
      'description',
      'editable_in_portal',
      'id',
      'key',
      'position',
      'raw_description',
      'raw_title',
      'raw_title_in_portal',
      'regexp_for_validation',
      'removable',
      'required',
      'required_in_portal',
      'system_field_options',
      'tag',
      'title',
      'title_in_portal',
      'type',
      'updated_at',
      'url',
      'visible_in_portal',
    ]);
    assert.equal(f.type, 'text');
    assert.equal(f.title, 'Order number');
    assert.equal(f.raw_title, 'Order number');
    assert.equal(f.description, 'The order this is about');
    assert.equal(f.raw_description, 'The order this is about');
    assert.equal(f.agent_description, 'Look it up in the shop');
    assert.equal(f.required, true);
    assert.equal(f.active, true);
    assert.equal(f.removable, true);
    assert.equal(f.title_in_portal, 'Your order number');
    assert.equal(f.tag, null, 'only checkboxes keep a tag');
    assert.equal(f.key, null);
    assert.deepEqual(f.custom_field_options, []);
    assert.ok(f.position >= 7, 'new fields go after the system fields');
    assert.equal((await eventsFor('ticket_field.created', f.id)).length, 1);
  });

  test('show, update (events name changed attributes), delete, then 404', async () => {
    const f = await created('ticket', { type: 'integer', title: 'Seats' });
    const shown = await api(app, 'GET', `/api/v2/ticket_fields/${f.id}.json`, { auth: agentAuth });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.ticket_field.title, 'Seats');

    const upd = await api(app, 'PUT', `/api/v2/ticket_fields/${f.id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { title: 'Licensed seats', type: 'integer', active: false } },
    });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.ticket_field.title, 'Licensed seats');
    assert.equal(upd.body.ticket_field.active, false);
    const events = await eventsFor('ticket_field.updated', f.id);
    assert.equal(events.length, 1);
    assert.deepEqual((events[0]!.payload as any).changes.sort(), ['active', 'title']);

    const retype = await api(app, 'PUT', `/api/v2/ticket_fields/${f.id}.json`, {
      auth: acct.auth,
      body: { ticket_field: { type: 'decimal' } },
    });
    expect422(retype, 'type');

    const del = await api(app, 'DELETE', `/api/v2/ticket_fields/${f.id}.json`, { auth: acct.auth });
    assert.equal(del.status, 204);
    assert.equal((await eventsFor('ticket_field.deleted', f.id)).length, 1);
    const gone = await api(app, 'GET', `/api/v2/ticket_fields/${f.id}.json`, { auth: acct.auth });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'RecordNotFound');
  });

  test('validation errors are 422 RecordInvalid naming the attribute', async () => {
    expect422(await createField('ticket', { title: 'No type' }), 'type');
    expect422(await createField('ticket', { type: 'text' }), 'title', 'BlankValue');
    expect422(await createField('ticket', { type: 'text', title: '  ' }), 'title');
    expect422(await createField('ticket', { type: 'lookup', title: 'Unknown type' }), 'type');
    expect422(await createField('ticket', { type: 'status', title: 'A second status' }), 'type');
    expect422(await createField('ticket', { type: 'dropdown', title: 'User-field type' }), 'type');
    expect422(
      await createField('ticket', { type: 'regexp', title: 'Code' }),
      'regexp_for_validation',
      'BlankValue',
    );
    assert.match(
      expect422(
        await createField('ticket', { type: 'regexp', title: 'Code', regexp_for_validation: '([a-z' }),
        'regexp_for_validation',
      ),
      /not a valid regular expression/,
    );
    expect422(
      await createField('ticket', { type: 'tagger', title: 'Plan' }),
      'custom_field_options',
      'BlankValue',
    );
    expect422(
      await createField('ticket', { type: 'tagger', title: 'Plan', custom_field_options: [] }),
      'custom_field_options',
      'BlankValue',
    );
    expect422(
      await createField('ticket', {
        type: 'tagger',
        title: 'Plan',
        custom_field_options: [
          { name: 'Gold', value: 'gold' },
          { name: 'Also gold', value: 'GOLD' },
        ],
      }),
      'custom_field_options',
      'DuplicateValue',
    );
    expect422(
      await createField('ticket', {
        type: 'tagger',
        title: 'Plan',
        custom_field_options: [{ name: 'Two words', value: 'two words' }],
      }),
      'custom_field_options.0.value',
    );
    expect422(
      await createField('ticket', {
        type: 'text',
        title: 'Note',
        custom_field_options: [{ name: 'A', value: 'a' }],
      }),
      'custom_field_options',
    );
  });

  test('offset and cursor pagination', async () => {
    const fresh = await app.createAccount();
    for (const n of [1, 2, 3]) await created('ticket', { type: 'text', title: `Extra ${n}` }, fresh.auth);
    const first = await api(app, 'GET', '/api/v2/ticket_fields.json?per_page=4', { auth: fresh.auth });
    assert.equal(first.body.count, 10);
    assert.equal(first.body.ticket_fields.length, 4);
    assert.match(first.body.next_page, /\/api\/v2\/ticket_fields\.json\?.*page=2/);
    const last = await api(app, 'GET', '/api/v2/ticket_fields.json?per_page=4&page=3', { auth: fresh.auth });
    assert.deepEqual(
      last.body.ticket_fields.map((f: any) => f.title),
      ['Extra 2', 'Extra 3'],
    );
    assert.equal(last.body.next_page, null);

    const titles: string[] = [];
    let path: string | null = '/api/v2/ticket_fields.json?page%5Bsize%5D=4';
    for (let pages = 0; path; pages++) {
      assert.ok(pages < 5, 'pagination must end');
      const res: any = await api(app, 'GET', path, { auth: fresh.auth });
      assert.equal(res.status, 200, res.text);
      titles.push(...res.body.ticket_fields.map((f: any) => f.title));
      path = res.body.links.next ? res.body.links.next.replace(app.baseUrl, '') : null;
      if (!path) assert.equal(res.body.meta.has_more, false);
    }
    assert.equal(titles.length, 10);
    assert.deepEqual(titles.slice(-3), ['Extra 1', 'Extra 2', 'Extra 3']);
  });
});

describe('options of drop-down and multi-select fields', () => {
  let plan: any;
  before(async () => {
    plan = await created('ticket', {
      type: 'tagger',
      title: 'Plan',
      custom_field_options: [
        { name: 'Free', value: 'plan_free', default: true },
        { name: 'Pro', value: 'Plan_Pro' },
      ],
    });
  });

  test('are created with the field, in order, values lower-cased', () => {
    assert.deepEqual(
      plan.custom_field_options.map((o: any) => [o.name, o.raw_name, o.value, o.default]),
      [
        ['Free', 'Free', 'plan_free', true],
        ['Pro', 'Pro', 'plan_pro', false],
      ],
    );
    const o = plan.custom_field_options[0];
    assert.match(o.url, new RegExp(`/api/v2/ticket_fields/${plan.id}/options/${o.id}\\.json$`));
  });

  test('list, show, create (201), update by id (200), duplicate value 422, delete (204)', async () => {
    const base = `/api/v2/ticket_fields/${plan.id}/options`;
    const list = await api(app, 'GET', `${base}.json`, { auth: agentAuth });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.count, 2);
    assert.deepEqual(
      list.body.custom_field_options.map((o: any) => o.value),
      ['plan_free', 'plan_pro'],
    );
    const one = await api(app, 'GET', `${base}/${plan.custom_field_options[1].id}.json`, { auth: agentAuth });
    assert.equal(one.body.custom_field_option.name, 'Pro');

    const add = await api(app, 'POST', `${base}.json`, {
      auth: acct.auth,
      body: { custom_field_option: { name: 'Enterprise', value: 'plan_ent' } },
    });
    assert.equal(add.status, 201, add.text);
    assert.equal(add.headers.get('location'), add.body.custom_field_option.url);
    const ent = add.body.custom_field_option;
    assert.equal(ent.position, 2);

    const rename = await api(app, 'POST', `${base}.json`, {
      auth: acct.auth,
      body: { custom_field_option: { id: ent.id, name: 'Enterprise plan', default: true } },
    });
    assert.equal(rename.status, 200, rename.text);
    assert.equal(rename.body.custom_field_option.id, ent.id);
    assert.equal(rename.body.custom_field_option.name, 'Enterprise plan');
    assert.equal(rename.body.custom_field_option.value, 'plan_ent');

    const field = await api(app, 'GET', `/api/v2/ticket_fields/${plan.id}.json`, { auth: acct.auth });
    assert.deepEqual(
      field.body.ticket_field.custom_field_options.map((o: any) => o.default),
      [false, false, true],
      'one default at a time',
    );

    const dup = await api(app, 'POST', `${base}.json`, {
      auth: acct.auth,
      body: { custom_field_option: { name: 'Again', value: 'plan_pro' } },
    });
    expect422(dup, 'value', 'DuplicateValue');
    expect422(
      await api(app, 'POST', `${base}.json`, {
        auth: acct.auth,
        body: { custom_field_option: { name: 'No value' } },
      }),
      'value',
      'BlankValue',
    );
    const missing = await api(app, 'POST', `${base}.json`, {
      auth: acct.auth,
      body: { custom_field_option: { id: 999999, name: 'Ghost' } },
    });
    assert.equal(missing.status, 404);

    assert.equal((await api(app, 'DELETE', `${base}/${ent.id}.json`, { auth: acct.auth })).status, 204);
    assert.equal((await api(app, 'GET', `${base}/${ent.id}.json`, { auth: acct.auth })).status, 404);
    assert.equal((await api(app, 'DELETE', `${base}/${ent.id}.json`, { auth: acct.auth })).status, 404);
    const events = await eventsFor('ticket_field.updated', plan.id);
    assert.ok(events.every((e) => (e.payload as any).changes.includes('custom_field_options')));
    assert.equal(events.length, 3);
  });

  test('PUT with custom_field_options replaces the set: ids update, new ones are added, the rest go', async () => {
    const f = await created('ticket', {
      type: 'multiselect',
      title: 'Products',
      custom_field_options: [
        { name: 'A', value: 'prod_a' },
        { name: 'B', value: 'prod_b' },
        { name: 'C', value: 'prod_c' },
      ],
    });
    const [a, b] = f.custom_field_options;
    const res = await api(app, 'PUT', `/api/v2/ticket_fields/${f.id}.json`, {
      auth: acct.auth,
      body: {
        ticket_field: {
          custom_field_options: [
            { id: b.id, name: 'B renamed', value: 'prod_a' },
            { id: a.id, name: 'A', value: 'prod_b' },
            { name: 'D', value: 'prod_d' },
          ],
        },
      },
    });
    assert.equal(res.status, 200, res.text);
    const options = res.body.ticket_field.custom_field_options;
    assert.deepEqual(
      options.map((o: any) => [o.name, o.value]),
      [
        ['B renamed', 'prod_a'],
        ['A', 'prod_b'],
        ['D', 'prod_d'],
      ],
      'values may swap within one update',
    );
    assert.equal(options[0].id, b.id);
    assert.equal(options[1].id, a.id);
    const foreign = await api(app, 'PUT', `/api/v2/ticket_fields/${f.id}.json`, {
      auth: acct.auth,
      body: {
        ticket_field: {
          custom_field_options: [{ id: plan.custom_field_options[0].id, name: 'X', value: 'x' }],
        },
      },
    });
    expect422(foreign, 'custom_field_options');
  });

  test('fields without options refuse option writes', async () => {
    const text = await created('ticket', { type: 'text', title: 'Plain' });
    const res = await api(app, 'POST', `/api/v2/ticket_fields/${text.id}/options.json`, {
      auth: acct.auth,
      body: { custom_field_option: { name: 'A', value: 'a' } },
    });
    expect422(res, 'custom_field_option');
  });
});

describe('permissions', () => {
  test('agents read fields and options but cannot write; end-users cannot write either', async () => {
    const f = await created('ticket', {
      type: 'tagger',
      title: 'Tier',
      custom_field_options: [{ name: 'T1', value: 'tier_1' }],
    });
    assert.equal((await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: agentAuth })).status, 200);
    for (const auth of [agentAuth, endUserAuth]) {
      assert.equal((await createField('ticket', { type: 'text', title: 'Nope' }, auth)).status, 403);
      assert.equal(
        (await createField('user', { type: 'text', title: 'Nope', key: 'nope' }, auth)).status,
        403,
      );
      const put = await api(app, 'PUT', `/api/v2/ticket_fields/${f.id}.json`, {
        auth,
        body: { ticket_field: { title: 'Hijacked' } },
      });
      assert.equal(put.status, 403);
      assert.equal((await api(app, 'DELETE', `/api/v2/ticket_fields/${f.id}.json`, { auth })).status, 403);
      const opt = await api(app, 'POST', `/api/v2/ticket_fields/${f.id}/options.json`, {
        auth,
        body: { custom_field_option: { name: 'T2', value: 'tier_2' } },
      });
      assert.equal(opt.status, 403);
    }
    const still = await api(app, 'GET', `/api/v2/ticket_fields/${f.id}.json`, { auth: acct.auth });
    assert.equal(still.body.ticket_field.title, 'Tier');
    assert.equal(still.body.ticket_field.custom_field_options.length, 1);
  });

  test('end-users see only active ticket fields visible in the portal, and no user or organization fields', async () => {
    const shown = await created('ticket', {
      type: 'tagger',
      title: 'Topic',
      visible_in_portal: true,
      custom_field_options: [{ name: 'Billing', value: 'topic_billing' }],
    });
    const hidden = await created('ticket', { type: 'text', title: 'Internal note' });
    const inactive = await created('ticket', {
      type: 'text',
      title: 'Old',
      visible_in_portal: true,
      active: false,
    });
    const list = await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: endUserAuth });
    assert.equal(list.status, 200, list.text);
    const ids = list.body.ticket_fields.map((f: any) => f.id);
    assert.ok(ids.includes(shown.id));
    assert.ok(!ids.includes(hidden.id));
    assert.ok(!ids.includes(inactive.id));
    assert.ok(list.body.ticket_fields.every((f: any) => f.visible_in_portal && f.active));
    assert.deepEqual(
      list.body.ticket_fields.filter((f: any) => f.removable === false).map((f: any) => f.type),
      ['subject', 'description'],
    );
    assert.equal(list.body.count, list.body.ticket_fields.length);

    assert.equal(
      (await api(app, 'GET', `/api/v2/ticket_fields/${shown.id}.json`, { auth: endUserAuth })).status,
      200,
    );
    assert.equal(
      (await api(app, 'GET', `/api/v2/ticket_fields/${hidden.id}.json`, { auth: endUserAuth })).status,
      404,
    );
    const opts = await api(app, 'GET', `/api/v2/ticket_fields/${shown.id}/options.json`, {
      auth: endUserAuth,
    });
    assert.equal(opts.status, 200);
    assert.equal(opts.body.custom_field_options[0].value, 'topic_billing');
    assert.equal(
      (await api(app, 'GET', `/api/v2/ticket_fields/${hidden.id}/options.json`, { auth: endUserAuth }))
        .status,
      404,
    );
    assert.equal((await api(app, 'GET', '/api/v2/user_fields.json', { auth: endUserAuth })).status, 403);
    assert.equal(
      (await api(app, 'GET', '/api/v2/organization_fields.json', { auth: endUserAuth })).status,
      403,
    );
  });
});

describe('another account', () => {
  test("sees none of this account's fields and gets 404 on each of them", async () => {
    const t = await created('ticket', {
      type: 'tagger',
      title: 'Secret',
      custom_field_options: [{ name: 'S', value: 's1' }],
    });
    const u = await created('user', { type: 'text', title: 'Secret user field', key: 'secret_key' });
    const o = await created('organization', { type: 'text', title: 'Secret org field', key: 'secret_org' });
    const optionId = t.custom_field_options[0].id;
    for (const [method, path, body] of [
      ['GET', `/api/v2/ticket_fields/${t.id}.json`],
      ['PUT', `/api/v2/ticket_fields/${t.id}.json`, { ticket_field: { title: 'Mine now' } }],
      ['DELETE', `/api/v2/ticket_fields/${t.id}.json`],
      ['GET', `/api/v2/ticket_fields/${t.id}/options.json`],
      ['GET', `/api/v2/ticket_fields/${t.id}/options/${optionId}.json`],
      [
        'POST',
        `/api/v2/ticket_fields/${t.id}/options.json`,
        { custom_field_option: { name: 'X', value: 'x' } },
      ],
      ['DELETE', `/api/v2/ticket_fields/${t.id}/options/${optionId}.json`],
      ['GET', `/api/v2/user_fields/${u.id}.json`],
      ['GET', '/api/v2/user_fields/secret_key.json'],
      ['DELETE', `/api/v2/user_fields/${u.id}.json`],
      ['GET', `/api/v2/organization_fields/${o.id}.json`],
      ['PUT', '/api/v2/organization_fields/secret_org.json', { organization_field: { title: 'X' } }],
    ] as [string, string, unknown?][]) {
      const res = await api(app, method, path, { auth: other.auth, body });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    }
    const list = await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: other.auth });
    assert.ok(!list.body.ticket_fields.some((f: any) => f.id === t.id));
    const users = await api(app, 'GET', '/api/v2/user_fields.json', { auth: other.auth });
    assert.deepEqual(users.body.user_fields, []);
    // Keys are per account: the other account may use the same one.
    assert.equal(
      (await createField('user', { type: 'text', title: 'Theirs', key: 'secret_key' }, other.auth)).status,
      201,
    );
    const mine = await api(app, 'GET', `/api/v2/ticket_fields/${t.id}.json`, { auth: acct.auth });
    assert.equal(mine.body.ticket_field.title, 'Secret');
  });
});

describe('user and organization fields', () => {
  test('CRUD by id and by key, in the user field shape', async () => {
    const res = await createField('user', {
      type: 'dropdown',
      title: 'Region',
      key: 'region',
      description: 'Where they are',
      custom_field_options: [
        { name: 'EMEA', value: 'emea' },
        { name: 'APAC', value: 'apac' },
      ],
    });
    assert.equal(res.status, 201, res.text);
    const f = res.body.user_field;
    assert.equal(res.headers.get('location'), f.url);
    assert.match(f.url, new RegExp(`/api/v2/user_fields/${f.id}\\.json$`));
    assert.equal(f.key, 'region');
    assert.equal(f.type, 'dropdown');
    assert.equal(f.system, false);
    assert.equal(f.raw_title, 'Region');
    assert.equal(f.custom_field_options.length, 2);
    assert.ok(!('visible_in_portal' in f), 'portal attributes belong to ticket fields');

    const byKey = await api(app, 'GET', '/api/v2/user_fields/region.json', { auth: agentAuth });
    assert.equal(byKey.status, 200);
    assert.equal(byKey.body.user_field.id, f.id);
    const opts = await api(app, 'GET', '/api/v2/user_fields/region/options.json', { auth: agentAuth });
    assert.deepEqual(
      opts.body.custom_field_options.map((o: any) => o.value),
      ['emea', 'apac'],
    );

    const upd = await api(app, 'PUT', `/api/v2/user_fields/${f.id}.json`, {
      auth: acct.auth,
      body: { user_field: { title: 'Sales region', key: 'region' } },
    });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.user_field.title, 'Sales region');
    expect422(
      await api(app, 'PUT', `/api/v2/user_fields/${f.id}.json`, {
        auth: acct.auth,
        body: { user_field: { key: 'territory' } },
      }),
      'key',
    );
    expect422(
      await createField('user', { type: 'text', title: 'Again', key: 'region' }),
      'key',
      'DuplicateValue',
    );
    expect422(await createField('user', { type: 'text', title: 'No key' }), 'key', 'BlankValue');
    expect422(await createField('user', { type: 'text', title: 'Bad key', key: 'has space' }), 'key');
    expect422(await createField('user', { type: 'text', title: 'Digits', key: '123' }), 'key');
    expect422(await createField('user', { type: 'tagger', title: 'Ticket type', key: 'tt' }), 'type');
    const list = await api(app, 'GET', '/api/v2/user_fields.json', { auth: agentAuth });
    assert.ok(list.body.user_fields.some((u: any) => u.id === f.id));
    assert.ok(
      !(await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: acct.auth })).body.ticket_fields.some(
        (t: any) => t.id === f.id,
      ),
    );
    assert.equal(
      (await api(app, 'GET', `/api/v2/ticket_fields/${f.id}.json`, { auth: acct.auth })).status,
      404,
    );

    assert.equal(
      (await api(app, 'DELETE', '/api/v2/user_fields/region.json', { auth: acct.auth })).status,
      204,
    );
    assert.equal(
      (await api(app, 'GET', `/api/v2/user_fields/${f.id}.json`, { auth: acct.auth })).status,
      404,
    );
    assert.equal((await eventsFor('user_field.deleted', f.id)).length, 1);
  });

  test('organization fields: create, list, options, update, delete', async () => {
    const f = await created('organization', {
      type: 'multiselect',
      title: 'Products owned',
      key: 'products',
      custom_field_options: [{ name: 'Widget', value: 'widget' }],
    });
    assert.match(f.url, new RegExp(`/api/v2/organization_fields/${f.id}\\.json$`));
    const opt = await api(app, 'POST', `/api/v2/organization_fields/${f.id}/options.json`, {
      auth: acct.auth,
      body: { custom_field_option: { name: 'Gadget', value: 'gadget' } },
    });
    assert.equal(opt.status, 201, opt.text);
    assert.match(
      opt.body.custom_field_option.url,
      /\/api\/v2\/organization_fields\/\d+\/options\/\d+\.json$/,
    );
    const list = await api(app, 'GET', '/api/v2/organization_fields.json', { auth: agentAuth });
    const listed = list.body.organization_fields.find((o: any) => o.id === f.id);
    assert.deepEqual(
      listed.custom_field_options.map((o: any) => o.value),
      ['widget', 'gadget'],
    );
    const upd = await api(app, 'PUT', '/api/v2/organization_fields/products.json', {
      auth: acct.auth,
      body: { organization_field: { active: false } },
    });
    assert.equal(upd.body.organization_field.active, false);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/organization_fields/${f.id}.json`, { auth: acct.auth })).status,
      204,
    );
  });
});

describe('validating ticket field values', () => {
  let db: TenantDb;
  let fresh: TestAccount;
  const ids: Record<string, number> = {};
  before(async () => {
    fresh = await app.createAccount();
    db = tenantDb(fresh);
    const make = async (name: string, field: Record<string, unknown>) => {
      ids[name] = (await created('ticket', { title: name, ...field }, fresh.auth)).id;
    };
    await make('Text', { type: 'text', position: 20 });
    await make('Notes', { type: 'textarea', position: 21 });
    await make('Urgent', { type: 'checkbox', tag: 'is_urgent', position: 22 });
    await make('Due', { type: 'date', position: 23 });
    await make('Seats', { type: 'integer', position: 24, required: true });
    await make('Price', { type: 'decimal', position: 25 });
    await make('Code', { type: 'regexp', regexp_for_validation: '\\A[A-Z]{3}-\\d+\\z', position: 26 });
    await make('Plan', {
      type: 'tagger',
      position: 19,
      required: true,
      custom_field_options: [
        { name: 'Free', value: 'free' },
        { name: 'Pro', value: 'pro' },
      ],
    });
    await make('Products', {
      type: 'multiselect',
      position: 27,
      custom_field_options: [
        { name: 'A', value: 'prod_a' },
        { name: 'B', value: 'prod_b' },
        { name: 'C', value: 'prod_c' },
      ],
    });
    await make('Retired', { type: 'text', position: 0, active: false });
  });

  test('activeCustomTicketFieldIds lists active custom fields in position order', async () => {
    assert.deepEqual(await activeCustomTicketFieldIds(db), [
      ids.Plan,
      ids.Text,
      ids.Notes,
      ids.Urgent,
      ids.Due,
      ids.Seats,
      ids.Price,
      ids.Code,
      ids.Products,
    ]);
    assert.deepEqual(await activeCustomTicketFieldIds(tenantDb(other)), []);
  });

  test('normalises every type and merges into the current values', async () => {
    const current = { [ids.Text!]: 'keep me', [ids.Notes!]: 'clear me' };
    const result = await validateTicketFieldValues(
      db,
      [
        { id: ids.Notes!, value: '' },
        { id: ids.Urgent!, value: 'true' },
        { id: ids.Due!, value: '2024-02-29T10:00:00Z' },
        { id: ids.Seats!, value: '12' },
        { id: ids.Price!, value: '9.50' },
        { id: ids.Code!, value: 'ABC-42' },
        { id: ids.Plan!, value: 'PRO' },
        { id: ids.Products!, value: ['prod_b', 'prod_a', 'prod_b'] },
      ],
      current,
    );
    assert.deepEqual(result.values, {
      [ids.Text!]: 'keep me',
      [ids.Urgent!]: true,
      [ids.Due!]: '2024-02-29',
      [ids.Seats!]: 12,
      [ids.Price!]: 9.5,
      [ids.Code!]: 'ABC-42',
      [ids.Plan!]: 'pro',
      [ids.Products!]: ['prod_b', 'prod_a'],
    });
    assert.deepEqual(result.addTags.sort(), ['is_urgent', 'pro', 'prod_a', 'prod_b']);
    assert.deepEqual(result.removeTags, []);
    assert.deepEqual(current, { [ids.Text!]: 'keep me', [ids.Notes!]: 'clear me' }, 'input not mutated');
  });

  test('changing a drop-down, multi-select or checkbox swaps the tags it mirrors', async () => {
    const current = {
      [ids.Plan!]: 'free',
      [ids.Products!]: ['prod_a', 'prod_b'],
      [ids.Urgent!]: true,
    };
    const result = await validateTicketFieldValues(
      db,
      [
        { id: ids.Plan!, value: 'pro' },
        { id: ids.Products!, value: ['prod_b', 'prod_c'] },
        { id: ids.Urgent!, value: false },
      ],
      current,
    );
    assert.deepEqual(result.addTags.sort(), ['pro', 'prod_c']);
    assert.deepEqual(result.removeTags.sort(), ['free', 'is_urgent', 'prod_a']);
    assert.equal(result.values[ids.Urgent!], false);

    const cleared = await validateTicketFieldValues(
      db,
      [
        { id: ids.Plan!, value: null },
        { id: ids.Products!, value: [] },
      ],
      current,
    );
    assert.deepEqual(cleared.values, { [ids.Urgent!]: true });
    assert.deepEqual(cleared.addTags, []);
    assert.deepEqual(cleared.removeTags.sort(), ['free', 'prod_a', 'prod_b']);
  });

  test('wrong-typed values and unknown fields are 422 on custom_fields, naming the field', async () => {
    const cases: [number, unknown, RegExp][] = [
      [ids.Seats!, '1.5', /^Seats: must be a whole number$/],
      [ids.Seats!, 'twelve', /^Seats:/],
      [ids.Price!, 'cheap', /^Price: must be a number$/],
      [ids.Due!, '2023-02-29', /^Due: must be a date \(YYYY-MM-DD\)$/],
      [ids.Due!, '31/01/2024', /^Due:/],
      [ids.Urgent!, 'maybe', /^Urgent: must be true or false$/],
      [ids.Code!, 'abc-42', /^Code: does not match the required format$/],
      [ids.Code!, 'XABC-42', /^Code:/],
      [ids.Plan!, 'enterprise', /^Plan: "enterprise" is not one of its options$/],
      [ids.Plan!, { value: 'pro' }, /^Plan:/],
      [ids.Products!, ['prod_a', 'nope'], /^Products: "nope" is not one of its options$/],
      [ids.Text!, { nested: true }, /^Text: must be text$/],
      [999_999, 'x', /^Custom field 999999: does not exist$/],
    ];
    for (const [id, value, message] of cases) {
      const description = await rejects422(
        () => validateTicketFieldValues(db, [{ id, value }], {}),
        'custom_fields',
      );
      assert.match(description, message, `${id} ${JSON.stringify(value)}`);
    }
    const system = (await api(app, 'GET', '/api/v2/ticket_fields.json', { auth: fresh.auth })).body
      .ticket_fields[0];
    await rejects422(
      () => validateTicketFieldValues(db, [{ id: system.id, value: 'x' }], {}),
      'custom_fields',
    );
    // Another account's field is unknown here.
    const theirs = await created('ticket', { type: 'text', title: 'Theirs' }, other.auth);
    await rejects422(
      () => validateTicketFieldValues(db, [{ id: theirs.id, value: 'x' }], {}),
      'custom_fields',
    );
  });

  test('values of deleted fields are dropped from the merge', async () => {
    const temp = await created('ticket', { type: 'text', title: 'Temporary' }, fresh.auth);
    await api(app, 'DELETE', `/api/v2/ticket_fields/${temp.id}.json`, { auth: fresh.auth });
    const result = await validateTicketFieldValues(db, [{ id: ids.Text!, value: 'new' }], {
      [temp.id]: 'stale',
      [ids.Notes!]: 'kept',
    });
    assert.deepEqual(result.values, { [ids.Text!]: 'new', [ids.Notes!]: 'kept' });
  });

  test('requiredTicketFieldsMissing lists active required fields left blank, in position order', async () => {
    assert.deepEqual(await requiredTicketFieldsMissing(db, {}), ['Plan', 'Seats']);
    assert.deepEqual(await requiredTicketFieldsMissing(db, { [ids.Plan!]: 'pro', [ids.Seats!]: '' }), [
      'Seats',
    ]);
    assert.deepEqual(await requiredTicketFieldsMissing(db, { [ids.Plan!]: 'pro', [ids.Seats!]: 0 }), []);
  });
});

describe('user_fields and organization_fields on users and organizations', () => {
  before(async () => {
    await created('user', { type: 'integer', title: 'Employee number', key: 'employee_no' });
    await created('user', { type: 'date', title: 'Birthday', key: 'birthday' });
    await created('user', {
      type: 'dropdown',
      title: 'Segment',
      key: 'segment',
      custom_field_options: [
        { name: 'SMB', value: 'smb' },
        { name: 'Enterprise', value: 'enterprise' },
      ],
    });
    await created('organization', { type: 'checkbox', title: 'Partner', key: 'partner' });
  });

  test('PUT /api/v2/users/{id} validates, normalises and merges user_fields', async () => {
    const first = await api(app, 'PUT', `/api/v2/users/${endUserId}.json`, {
      auth: acct.auth,
      body: { user: { user_fields: { employee_no: '42', segment: 'SMB' } } },
    });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.user.user_fields, { segment: 'smb', employee_no: 42 });

    const second = await api(app, 'PUT', `/api/v2/users/${endUserId}.json`, {
      auth: agentAuth,
      body: { user: { user_fields: { birthday: '1990-05-17', segment: null } } },
    });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.body.user.user_fields, { birthday: '1990-05-17', employee_no: 42 });

    const unknown = await api(app, 'PUT', `/api/v2/users/${endUserId}.json`, {
      auth: acct.auth,
      body: { user: { user_fields: { shoe_size: 44 } } },
    });
    assert.equal(expect422(unknown, 'user_fields', 'InvalidValue'), 'User field shoe_size: does not exist');
    const wrong = await api(app, 'PUT', `/api/v2/users/${endUserId}.json`, {
      auth: acct.auth,
      body: { user: { user_fields: { employee_no: 'forty-two' } } },
    });
    assert.equal(expect422(wrong, 'user_fields'), 'Employee number: must be a whole number');
    const after = await api(app, 'GET', `/api/v2/users/${endUserId}.json`, { auth: acct.auth });
    assert.deepEqual(after.body.user.user_fields, { birthday: '1990-05-17', employee_no: 42 });

    const create = await api(app, 'POST', '/api/v2/users.json', {
      auth: acct.auth,
      body: { user: { name: 'New Person', user_fields: { segment: 'nope' } } },
    });
    assert.equal(expect422(create, 'user_fields'), 'Segment: "nope" is not one of its options');
  });

  test('organization_fields are validated on create and update', async () => {
    const org = await api(app, 'POST', '/api/v2/organizations.json', {
      auth: acct.auth,
      body: { organization: { name: 'Fielded Co', organization_fields: { partner: 'true' } } },
    });
    assert.equal(org.status, 201, org.text);
    assert.deepEqual(org.body.organization.organization_fields, { partner: true });
    const bad = await api(app, 'PUT', `/api/v2/organizations/${org.body.organization.id}.json`, {
      auth: acct.auth,
      body: { organization: { organization_fields: { tier: 'gold' } } },
    });
    expect422(bad, 'organization_fields');
  });

  test('validateUserFieldValues and validateOrganizationFieldValues work on a TenantDb', async () => {
    const db = tenantDb(acct);
    assert.deepEqual(
      await validateUserFieldValues(db, { employee_no: 7 }, { stale_key: 'x', birthday: '2000-01-01' }),
      {
        birthday: '2000-01-01',
        employee_no: 7,
      },
    );
    await rejects422(() => validateUserFieldValues(tenantDb(other), { employee_no: 7 }, {}), 'user_fields');
    assert.deepEqual(await validateOrganizationFieldValues(db, { partner: 0 }, {}), { partner: false });
    await rejects422(
      () => validateOrganizationFieldValues(db, { partner: 'perhaps' }, {}),
      'organization_fields',
    );
  });
});
