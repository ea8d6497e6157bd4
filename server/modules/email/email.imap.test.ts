import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { type TestImap, testImap } from '../../../test/support/dovecot.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { EMAIL_PROCESS_JOB } from './email.inbound.ts';

/**
 * IMAP polling against a real Dovecot: mail is delivered with APPEND (as a mail server would), Haven stores it,
 * then marks or moves it. Skipped with a notice only outside CI when Dovecot is not installed.
 */
/** The queue `email.process` jobs go to, for runs where the processing module has not registered it yet. */
async function ensureProcessQueue(app: TestApp): Promise<void> {
  await sql`select pgboss.create_queue(${EMAIL_PROCESS_JOB}, '{"policy":"standard"}'::json)
    where not exists (select 1 from pgboss.queue where name = ${EMAIL_PROCESS_JOB})`.execute(
    app.runtime.services.database.db,
  );
}

const imap = await testImap();
if (!imap) console.log('# Dovecot is not installed: the IMAP tests are skipped (CI always runs them).');

function mail(subject: string, to = 'help@shop.example') {
  return Buffer.from(
    [
      'From: Customer <customer@example.com>',
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${subject}.`,
      '',
    ].join('\r\n'),
  );
}

/** A mail server's side: an IMAP client that delivers (APPEND) and looks at flags and folders. */
async function serverSide(server: TestImap, user = 0): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: server.users[user].username, pass: server.users[user].password },
    logger: false,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function flagsOf(client: ImapFlow, mailbox: string): Promise<Map<string, Set<string>>> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const out = new Map<string, Set<string>>();
    for await (const m of client.fetch('1:*', { envelope: true, flags: true })) {
      out.set(m.envelope?.subject ?? '', m.flags ?? new Set());
    }
    return out;
  } finally {
    lock.release();
  }
}

describe('IMAP polling', { skip: !imap, timeout: 120_000 }, () => {
  let app: TestApp;
  let account: TestAccount;
  let delivery: ImapFlow;
  let folder: string;

  async function stored(subject?: string) {
    const rows = await app.runtime.services.database.db
      .selectFrom('inbound_emails')
      .select(['id', 'source', 'raw', 'imap_uid', 'imap_connection_id', 'recipient'])
      .where('account_id', '=', account.id)
      .orderBy('id')
      .execute();
    return subject ? rows.filter((r) => Buffer.from(r.raw).toString().includes(`Subject: ${subject}`)) : rows;
  }

  async function createConnection(fields: Record<string, unknown>) {
    const res = await api(app, 'POST', '/api/v2/email/imap_connections', {
      auth: account.auth,
      body: {
        imap_connection: {
          name: 'Shop mailbox',
          host: imap!.host,
          port: imap!.port,
          secure: false,
          username: imap!.users[0].username,
          password: imap!.users[0].password,
          mailbox: folder,
          ...fields,
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.imap_connection;
  }

  before(async () => {
    // A poll interval of an hour: anything fetched within the test came through IDLE, a nudge or a reconnect.
    app = await startTestApp({ HAVEN_ALLOW_PRIVATE_EGRESS: 'true', HAVEN_IMAP_POLL_SECONDS: '3600' });
    await ensureProcessQueue(app);
    account = await app.createAccount();
    delivery = await serverSide(imap!);
    folder = `Haven-${randomBytes(4).toString('hex')}`;
    await delivery.mailboxCreate(folder);
  });
  after(async () => {
    await delivery?.logout().catch(() => {});
    await app?.close();
  });

  test('the test endpoint opens the mailbox, and refuses a wrong password with ImapConnectionFailed', async () => {
    await delivery.append(folder, mail('Already here'), []);
    const good = await createConnection({ name: 'Probe', active: false });
    assert.equal(good.password, undefined, 'the password is never returned');
    const ok = await api(app, 'POST', `/api/v2/email/imap_connections/${good.id}/test`, {
      auth: account.auth,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.result, { ok: true, messages: 1 });

    const put = await api(app, 'PUT', `/api/v2/email/imap_connections/${good.id}`, {
      auth: account.auth,
      body: { imap_connection: { password: 'not the password' } },
    });
    assert.equal(put.status, 200, put.text);
    const bad = await api(app, 'POST', `/api/v2/email/imap_connections/${good.id}/test`, {
      auth: account.auth,
    });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.error, 'ImapConnectionFailed');
    assert.equal(bad.body.code, 'CS_IMAP_CONNECTION_FAILED');
    assert.match(bad.body.description, /auth/i);
    assert.doesNotMatch(bad.text, /not the password/);

    const del = await api(app, 'DELETE', `/api/v2/email/imap_connections/${good.id}`, { auth: account.auth });
    assert.equal(del.status, 204);
    assert.equal((await stored()).length, 0, 'an inactive connection polls nothing');
  });

  test('a private address is refused unless the operator allows private egress', async () => {
    const strict = await startTestApp({ HAVEN_ALLOW_PRIVATE_EGRESS: 'false' });
    try {
      const other = await strict.createAccount();
      const res = await api(strict, 'POST', '/api/v2/email/imap_connections', {
        auth: other.auth,
        body: {
          imap_connection: {
            name: 'Local',
            host: '127.0.0.1',
            port: imap!.port,
            secure: false,
            username: imap!.users[0].username,
            password: imap!.users[0].password,
            active: false,
          },
        },
      });
      assert.equal(res.status, 201, res.text);
      const test = await api(
        strict,
        'POST',
        `/api/v2/email/imap_connections/${res.body.imap_connection.id}/test`,
        {
          auth: other.auth,
        },
      );
      assert.equal(test.status, 422);
      assert.match(test.body.description, /loopback/);
    } finally {
      await strict.close();
    }
  });

  let connectionId: number;

  test('unseen mail is stored, then marked \\Seen; mail read before is left alone', async () => {
    await delivery.append(folder, mail('Read before'), ['\\Seen']);
    await delivery.append(folder, mail('First question'), []);
    const conn = await createConnection({});
    connectionId = conn.id;
    assert.equal(conn.status, 'pending');
    await waitFor('the unseen messages to be stored', async () => (await stored()).length >= 2);
    const rows = await stored();
    const subjects = rows.map((r) => /Subject: (.*)\r\n/.exec(Buffer.from(r.raw).toString())?.[1]).sort();
    assert.deepEqual(subjects, ['Already here', 'First question']);
    for (const row of rows) {
      assert.equal(row.source, 'imap');
      assert.equal(Number(row.imap_connection_id), connectionId);
      assert.ok(Number(row.imap_uid) > 0);
      assert.equal(row.recipient, 'help@shop.example');
    }
    await waitFor('the messages to be marked seen', async () => {
      const flags = await flagsOf(delivery, folder);
      return flags.get('First question')?.has('\\Seen') && flags.get('Already here')?.has('\\Seen');
    });
    const shown = await api(app, 'GET', `/api/v2/email/imap_connections/${connectionId}`, {
      auth: account.auth,
    });
    assert.equal(shown.body.imap_connection.status, 'connected');
    assert.equal(shown.body.imap_connection.last_error, null);
    assert.ok(shown.body.imap_connection.last_polled_at);
  });

  test('new mail arrives through IDLE without waiting for the poll interval', async () => {
    await delivery.append(folder, mail('Sent while idling'), []);
    await waitFor(
      'the idling session to store it',
      async () => (await stored('Sent while idling')).length === 1,
    );
  });

  test('a dropped connection is reported and survived: mail sent after it arrives', async () => {
    imap!.kick(imap!.users[0].username);
    await delivery.logout().catch(() => {});
    delivery = await serverSide(imap!);
    await delivery.append(folder, mail('After the disconnect'), []);
    await waitFor(
      'the reconnected session to store it',
      async () => (await stored('After the disconnect')).length === 1,
      30_000,
    );
  });

  test('after a restart UIDs already taken are not stored again, even when marked unseen', async () => {
    const off = await api(app, 'PUT', `/api/v2/email/imap_connections/${connectionId}`, {
      auth: account.auth,
      body: { imap_connection: { active: false } },
    });
    assert.equal(off.status, 200);
    await waitFor('the lease to be released', async () => {
      const row = await app.runtime.services.database.db
        .selectFrom('imap_connections')
        .select('lease_owner')
        .where('id', '=', connectionId)
        .executeTakeFirstOrThrow();
      return row.lease_owner === null;
    });
    const before = (await stored()).length;
    // Somebody marks everything unread again in their mail client; only genuinely new mail may be stored.
    const lock = await delivery.getMailboxLock(folder);
    try {
      await delivery.messageFlagsRemove('1:*', ['\\Seen']);
    } finally {
      lock.release();
    }
    await delivery.append(folder, mail('While stopped'), []);
    const on = await api(app, 'PUT', `/api/v2/email/imap_connections/${connectionId}`, {
      auth: account.auth,
      body: { imap_connection: { active: true } },
    });
    assert.equal(on.status, 200);
    await waitFor('the new message', async () => (await stored('While stopped')).length === 1);
    await waitFor('it to be marked seen', async () =>
      (await flagsOf(delivery, folder)).get('While stopped')?.has('\\Seen'),
    );
    const after = await stored();
    assert.equal(after.length, before + 1, 'only the new message was stored');
    const uids = after.map((r) => Number(r.imap_uid));
    assert.equal(new Set(uids).size, uids.length, 'no UID stored twice');
  });

  test('with after_processing "move" the message is moved once stored; "poll now" fetches at once', async () => {
    const second = await serverSide(imap!, 1);
    const inbox = `In-${randomBytes(3).toString('hex')}`;
    const done = `Done-${randomBytes(3).toString('hex')}`;
    await second.mailboxCreate(inbox);
    await second.mailboxCreate(done);
    await second.append(inbox, mail('To be moved'), []);
    const res = await api(app, 'POST', '/api/v2/email/imap_connections', {
      auth: account.auth,
      body: {
        imap_connection: {
          name: 'Second',
          host: imap!.host,
          port: imap!.port,
          secure: false,
          username: imap!.users[1].username,
          password: imap!.users[1].password,
          mailbox: inbox,
          after_processing: 'move',
          move_to: done,
          active: false,
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    const poll = await api(
      app,
      'POST',
      `/api/v2/email/imap_connections/${res.body.imap_connection.id}/poll`,
      {
        auth: account.auth,
      },
    );
    assert.equal(poll.status, 200, poll.text);
    assert.deepEqual(poll.body.result, { ok: true, stored: 1 });
    assert.equal((await stored('To be moved')).length, 1);
    assert.equal((await flagsOf(second, inbox)).size, 0, 'nothing is left in the polled mailbox');
    assert.ok((await flagsOf(second, done)).has('To be moved'));
    const again = await api(
      app,
      'POST',
      `/api/v2/email/imap_connections/${res.body.imap_connection.id}/poll`,
      {
        auth: account.auth,
      },
    );
    assert.deepEqual(again.body.result, { ok: true, stored: 0 });
    await second.logout();

    const missingMove = await api(app, 'POST', '/api/v2/email/imap_connections', {
      auth: account.auth,
      body: {
        imap_connection: {
          name: 'x',
          host: 'imap.example.com',
          username: 'u',
          password: 'p',
          after_processing: 'move',
        },
      },
    });
    assert.equal(missingMove.status, 422);
    const list = await api(app, 'GET', '/api/v2/email/imap_connections', { auth: account.auth });
    assert.equal(list.status, 200);
    assert.equal(list.body.count, 2);
    for (const c of list.body.imap_connections) assert.equal(c.password, undefined);
  });
});
