import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import zendesk from 'node-zendesk';
import { api, startTestApp, type TestAccount, type TestApp } from '../harness.ts';

/**
 * A real Zendesk client library, unchanged, pointed at Haven: node-zendesk 6.0.1 with `endpointUri`. Every call
 * below is what an existing integration would make; if Haven drifts from Zendesk's shapes, this fails.
 */
let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let client: any;
let otherTicketId: number;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount('zd-conformance');
  other = await app.createAccount('zd-other');
  client = zendesk.createClient({
    username: acct.adminEmail,
    token: acct.token,
    endpointUri: `${app.baseUrl}/api/v2`,
    throwOriginalException: true,
  });
  const foreign = await api(app, 'POST', '/api/v2/tickets.json', {
    auth: other.auth,
    body: { ticket: { subject: 'Not yours', comment: { body: 'other account' } } },
  });
  otherTicketId = foreign.body.ticket.id;
});

after(async () => {
  await app?.close();
});

function statusOf(err: any): number | undefined {
  return err?.statusCode ?? err?.status ?? err?.response?.status;
}

describe('node-zendesk 6.0.1 against Haven, unchanged', () => {
  const state: Record<string, any> = {};

  test('users and organizations', async () => {
    const { result: org } = await client.organizations.create({ organization: { name: 'Acme Corp' } });
    assert.equal(org.name, 'Acme Corp');
    const { result: user } = await client.users.create({
      user: { name: 'Rosa Requester', email: 'rosa@acme.example', organization_id: org.id },
    });
    assert.equal(user.role, 'end-user');
    assert.equal(user.organization_id, org.id);
    const { result: agent } = await client.users.create({
      user: { name: 'Adam Agent', email: 'adam@haven.example', role: 'agent' },
    });
    state.org = org;
    state.user = user;
    state.agent = agent;
  });

  test('custom fields, an upload, and a ticket that uses both', async () => {
    const { result: tier } = await client.ticketfields.create({
      ticket_field: {
        type: 'tagger',
        title: 'Plan',
        custom_field_options: [
          { name: 'Free', value: 'plan_free' },
          { name: 'Pro', value: 'plan_pro' },
        ],
      },
    });
    const { result: order } = await client.ticketfields.create({
      ticket_field: { type: 'integer', title: 'Order' },
    });
    state.tier = tier;
    state.order = order;

    // node-zendesk 6 uploads streams (or file paths); a Buffer would be taken for a path.
    const uploaded = await client.attachments.upload(
      Readable.from([Buffer.from('log line 1\nlog line 2\n')]),
      {
        filename: 'log.txt',
        binary: true,
      },
    );
    const upload = uploaded.upload ?? uploaded.result?.upload;
    assert.ok(upload?.token, `upload answered ${JSON.stringify(uploaded)}`);

    const { result: ticket } = await client.tickets.create({
      ticket: {
        subject: 'Invoice is wrong',
        comment: { body: 'The invoice total is off by 10.', uploads: [upload.token] },
        requester_id: state.user.id,
        priority: 'high',
        custom_fields: [
          { id: tier.id, value: 'plan_pro' },
          { id: order.id, value: '1042' },
        ],
      },
    });
    assert.equal(ticket.subject, 'Invoice is wrong');
    assert.equal(ticket.requester_id, state.user.id);
    assert.equal(ticket.organization_id, state.org.id);
    assert.ok(ticket.tags.includes('plan_pro'));
    assert.deepEqual(
      ticket.custom_fields.find((f: any) => f.id === order.id),
      { id: order.id, value: 1042 },
    );
    state.ticket = ticket;

    await assert.rejects(
      client.tickets.create({
        ticket: { subject: 'x', comment: { body: 'y' }, custom_fields: [{ id: order.id, value: 'abc' }] },
      }),
      (err: any) => {
        assert.equal(statusOf(err), 422);
        return true;
      },
    );
  });

  test('public replies and internal notes, read back as comments', async () => {
    const id = state.ticket.id;
    await client.tickets.update(id, {
      ticket: { comment: { body: 'Looking into it.', public: true }, status: 'open' },
    });
    await client.tickets.update(id, {
      ticket: { comment: { body: 'Finance says 10 is a fee.', public: false } },
    });
    const comments = await client.tickets.getComments(id);
    assert.equal(comments.length, 3);
    assert.deepEqual(
      comments.map((c: any) => c.public),
      [true, true, false],
    );
    assert.equal(comments[0].attachments.length, 1);
    assert.equal(comments[0].attachments[0].file_name, 'log.txt');
    assert.match(comments[0].attachments[0].content_url, /^http/);
    const { result: shown } = await client.tickets.show(id);
    assert.equal(shown.status, 'open');
  });

  test('bulk jobs run to completion; lists walk to the end in both pagination styles', async () => {
    const tickets = Array.from({ length: 120 }, (_, i) => ({
      subject: `Bulk ticket ${i}`,
      comment: { body: `Body of bulk ticket ${i}` },
      requester_id: state.user.id,
      tags: ['bulk'],
    }));
    const ids: number[] = [];
    for (let i = 0; i < tickets.length; i += 100) {
      const { result } = await client.tickets.createMany({ tickets: tickets.slice(i, i + 100) });
      const jobId = result.id ?? result.job_status?.id;
      const done: any = await client.jobstatuses.watch(jobId, 200, 100);
      const job = done.job_status ?? done.result?.job_status ?? done;
      assert.equal(job.status, 'completed', JSON.stringify(job).slice(0, 300));
      ids.push(...job.results.map((r: any) => r.id));
    }
    assert.equal(ids.length, 120);

    // Cursor style: node-zendesk adds page[size] and follows links.next until it is null.
    const all = await client.tickets.list();
    const seen = new Set(all.map((t: any) => t.id));
    assert.equal(seen.size, all.length, 'no ticket twice');
    for (const id of ids) assert.ok(seen.has(id));
    assert.ok(!seen.has(otherTicketId));

    // Offset style: search follows next_page.
    const found = await client.search.queryAll('type:ticket tags:bulk');
    assert.equal(found.length, 120);

    const { result: update } = await client.tickets.updateMany(ids.slice(0, 50), {
      ticket: { status: 'pending', additional_tags: ['batch_two'] },
    });
    const updated: any = await client.jobstatuses.watch(update.id ?? update.job_status?.id, 200, 100);
    const uj = updated.job_status ?? updated.result?.job_status ?? updated;
    assert.equal(uj.status, 'completed');
    assert.ok(uj.results.every((r: any) => r.success));
    state.bulkIds = ids;
  });

  test('search with the Zendesk syntax', async () => {
    const { result: count } = await client.search.showResultsCount(
      'type:ticket status:pending tags:batch_two',
    );
    assert.equal(count.count ?? count, 50);
    const { result } = await client.search.query('type:ticket "invoice total" priority>normal');
    const results = result.results ?? result;
    assert.deepEqual(
      results.map((r: any) => r.id),
      [state.ticket.id],
    );
    const users = await client.search.queryAll('type:user rosa');
    assert.ok(users.some((u: any) => u.id === state.user.id && u.result_type === 'user'));
    const exported = await client.search.exportResults('tags:bulk status<solved', 'ticket');
    assert.equal(exported.length, 120);
    await assert.rejects(client.search.query('type:ticket nosuchfield:1'), (err: any) => {
      assert.equal(statusOf(err), 400);
      return true;
    });
  });

  test('incremental export, time-based and cursor-based, to the end of the stream', async () => {
    const start = Math.floor(Date.now() / 1000) - 3600;
    const { result: first } = await client.ticketexport.export(start);
    const page = first.tickets ? first : { tickets: first };
    assert.ok(page.tickets.length >= 121);

    const seen = new Set<number>();
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const { result } = await client.ticketexport.exportCursor(start, cursor);
      const body = result.tickets ? result : { tickets: result };
      for (const t of body.tickets) seen.add(t.id);
      if (result.end_of_stream ?? true) break;
      cursor = result.after_cursor;
    }
    for (const id of [state.ticket.id, ...state.bulkIds]) assert.ok(seen.has(id), `ticket ${id} exported`);
  });

  test('Zendesk errors: another account’s ticket is 404, bad credentials 401', async () => {
    await assert.rejects(client.tickets.show(otherTicketId), (err: any) => {
      assert.equal(statusOf(err), 404);
      return true;
    });
    const stranger = zendesk.createClient({
      username: acct.adminEmail,
      token: 'wrong-token',
      endpointUri: `${app.baseUrl}/api/v2`,
      throwOriginalException: true,
    });
    await assert.rejects(stranger.tickets.show(state.ticket.id), (err: any) => {
      assert.equal(statusOf(err), 401);
      return true;
    });
  });
});
