import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { buildMail, type Inbox, inboxFor } from './fixtures/mime.ts';

let app: TestApp;
let acct: TestAccount;
let inbox: Inbox;
let support: string;

const call = (method: string, path: string, body?: unknown, auth = acct.auth) =>
  api(app, method, path, { auth, host: inbox.host, body });

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  inbox = await inboxFor(app, acct);
  support = `support@${acct.subdomain}.haven.test`;
  // The account's review rules (inboxFor made its settings row with the inbound secret).
  await app.runtime.services.database.db
    .updateTable('email_settings')
    .set({
      blocked_senders: ['@blocked.example'],
      rejected_senders: ['nobody@rejected.example'],
      sender_rate_limit: 2,
      spam_threshold: 5,
    })
    .where('account_id', '=', acct.id)
    .execute();
});

after(() => app.close());

describe('suspended mail', () => {
  test('blocked senders and spam are suspended for review; rejected senders only logged', async () => {
    const blocked = await inbox.deliver(
      buildMail({
        from: 'Bea <bea@blocked.example>',
        to: support,
        subject: 'Blocked one',
        text: 'Hello.\n\n> old',
      }),
    );
    assert.equal(blocked.status, 'suspended');
    assert.equal(blocked.cause, 'blocked_sender');
    const spamHeaders: Record<string, string>[] = [
      { 'X-Spam-Flag': 'YES' },
      { 'X-Spam-Score': '7.5' },
      { 'X-Spam-Status': 'No, score=6.1 required=5.0' },
    ];
    for (const headers of spamHeaders) {
      const spam = await inbox.deliver(
        buildMail({ from: 'sam@spam.example', to: support, headers, text: 'Buy now' }),
      );
      assert.equal(spam.status, 'suspended', JSON.stringify(headers));
      assert.equal(spam.cause, 'spam');
    }
    const low = await inbox.deliver(
      buildMail({
        from: 'sam@spam.example',
        to: support,
        headers: { 'X-Spam-Score': '1.2' },
        text: 'Real question',
      }),
    );
    assert.equal(low.status, 'processed');
    const rejected = await inbox.deliver(
      buildMail({ from: 'nobody@rejected.example', to: support, text: 'x' }),
    );
    assert.equal(rejected.status, 'ignored');
    assert.equal(rejected.cause, 'rejected_sender');

    const list = await call('GET', '/api/v2/suspended_tickets.json');
    assert.equal(list.status, 200);
    const ids = list.body.suspended_tickets.map((s: { id: number }) => s.id);
    assert.ok(ids.includes(blocked.id));
    assert.ok(!ids.includes(rejected.id));
    const shown = (await call('GET', `/api/v2/suspended_tickets/${blocked.id}.json`)).body.suspended_ticket;
    assert.equal(shown.subject, 'Blocked one');
    assert.equal(shown.content, 'Hello.');
    assert.equal(shown.cause_id, 13);
    assert.equal(shown.cause_name, 'blocked_sender');
    assert.deepEqual(shown.author, { id: null, name: 'Bea', email: 'bea@blocked.example' });
    assert.equal(shown.recipient, support);
    assert.equal(shown.via.channel, 'email');
    assert.equal(shown.via.source.from.address, 'bea@blocked.example');

    // Cursor style, as node-zendesk asks.
    const cursor = await call('GET', '/api/v2/suspended_tickets.json?page[size]=1');
    assert.equal(cursor.body.suspended_tickets.length, 1);
    assert.equal(cursor.body.meta.has_more, true);
  });

  test('a sender opening tickets faster than the limit is suspended, and recovering makes the ticket', async () => {
    const from = 'Rob Ot <rob@loopy.example>';
    for (const n of [1, 2]) {
      const ok = await inbox.deliver(buildMail({ from, to: support, subject: `Loop ${n}`, text: 'again' }));
      assert.equal(ok.status, 'processed');
    }
    const third = await inbox.deliver(
      buildMail({ from, to: support, subject: 'Loop 3', text: 'again and again' }),
    );
    assert.equal(third.status, 'suspended');
    assert.equal(third.cause, 'sender_rate_limit');

    const recovered = await call('PUT', `/api/v2/suspended_tickets/${third.id}/recover.json`);
    assert.equal(recovered.status, 200, recovered.text);
    assert.equal(recovered.body.ticket.subject, 'Loop 3');
    assert.equal(recovered.body.ticket.via.channel, 'email');
    const row = (await call('GET', `/api/v2/email/inbound/${third.id}`)).body.inbound_email;
    assert.equal(row.status, 'processed');
    assert.equal(row.ticket_id, recovered.body.ticket.id);
    assert.equal((await call('GET', `/api/v2/suspended_tickets/${third.id}`)).status, 404);
  });

  test('recover_many, and deleting (admins only)', async () => {
    const made = [];
    for (const n of [1, 2, 3, 4]) {
      made.push(
        await inbox.deliver(buildMail({ from: `p${n}@blocked.example`, to: support, subject: `Held ${n}` })),
      );
    }
    const many = await call(
      'PUT',
      `/api/v2/suspended_tickets/recover_many.json?ids=${made[0]!.id},${made[1]!.id}`,
    );
    assert.equal(many.status, 200, many.text);
    assert.deepEqual(
      many.body.tickets.map((t: { subject: string }) => t.subject),
      ['Held 1', 'Held 2'],
    );
    const agent = await acct.createUser('Avery Agent', 'avery@agents.example', 'agent');
    const asAgent = acct.authAs(agent.email);
    assert.equal((await call('GET', '/api/v2/suspended_tickets', undefined, asAgent)).status, 200);
    assert.equal(
      (await call('DELETE', `/api/v2/suspended_tickets/${made[2]!.id}`, undefined, asAgent)).status,
      403,
    );
    assert.equal((await call('DELETE', `/api/v2/suspended_tickets/${made[2]!.id}`)).status, 204);
    assert.equal(
      (await call('DELETE', `/api/v2/suspended_tickets/destroy_many?ids=${made[3]!.id}`)).status,
      204,
    );
    for (const m of made.slice(2)) {
      assert.equal(
        (await call('GET', `/api/v2/email/inbound/${m.id}`)).status,
        404,
        'the stored message is gone',
      );
    }
  });

  test('another account’s suspended ticket is 404', async () => {
    const held = await inbox.deliver(
      buildMail({ from: 'zed@blocked.example', to: support, subject: 'Mine' }),
    );
    const other = await app.createAccount();
    const host = `${other.subdomain}.haven.test`;
    for (const [method, path] of [
      ['GET', `/api/v2/suspended_tickets/${held.id}`],
      ['PUT', `/api/v2/suspended_tickets/${held.id}/recover`],
      ['DELETE', `/api/v2/suspended_tickets/${held.id}`],
    ] as const) {
      const res = await api(app, method, path, { auth: other.auth, host });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    const list = await api(app, 'GET', '/api/v2/suspended_tickets', { auth: other.auth, host });
    assert.deepEqual(list.body.suspended_tickets, []);
    await api(app, 'DELETE', `/api/v2/suspended_tickets/destroy_many?ids=${held.id}`, {
      auth: other.auth,
      host,
    });
    assert.equal((await call('GET', `/api/v2/suspended_tickets/${held.id}`)).status, 200);
  });

  test("a suspended user's mail waits for review; a deleted user's mail cannot make a ticket", async () => {
    const held = await acct.createUser('Sue Suspended', 'sue@customer.example');
    const gone = await acct.createUser('Dee Deleted', 'dee@customer.example');
    assert.equal((await call('PUT', `/api/v2/users/${held.id}`, { user: { suspended: true } })).status, 200);
    assert.equal((await call('DELETE', `/api/v2/users/${gone.id}`)).status, 200);

    const fromSuspended = await inbox.deliver(
      buildMail({ from: 'Sue <sue@customer.example>', to: support, subject: 'Let me back in', text: 'Hi.' }),
    );
    assert.equal(fromSuspended.status, 'suspended');
    assert.equal(fromSuspended.cause, 'sender_suspended');
    const shown = await call('GET', `/api/v2/suspended_tickets/${fromSuspended.id}`);
    assert.equal(shown.body.suspended_ticket.cause, 'Submitted by a suspended user');
    // An agent who recovers it lets it through.
    const recovered = await call('PUT', `/api/v2/suspended_tickets/${fromSuspended.id}/recover`);
    assert.equal(recovered.status, 200, recovered.text);
    assert.equal(recovered.body.ticket.requester_id, held.id);

    const fromDeleted = await inbox.deliver(
      buildMail({ from: 'dee@customer.example', to: support, subject: 'Still here', text: 'Hi.' }),
    );
    assert.equal(fromDeleted.status, 'suspended');
    assert.equal(fromDeleted.cause, 'sender_deleted');
    const refused = await call('PUT', `/api/v2/suspended_tickets/${fromDeleted.id}/recover`);
    assert.equal(refused.status, 422, refused.text);
    // Still there for an admin to read or delete.
    assert.equal((await call('GET', `/api/v2/suspended_tickets/${fromDeleted.id}`)).status, 200);
  });
});
