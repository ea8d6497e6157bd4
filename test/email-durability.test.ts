import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import {
  freePort,
  freshPostgresDatabase,
  type HavenProcess,
  type SetupResult,
  setupAccount,
  startHaven,
  tempDir,
  waitFor,
} from './support/processes.ts';

/**
 * Mail the SMTP server answered 250 for survives a kill -9 before it is processed. On PostgreSQL the mail goes
 * to a `web` process (it receives mail but works no jobs, so nothing is processed before the kill); then an
 * `all` process on the same database must turn every message into exactly one ticket. The embedded database
 * admits one process, which both receives and processes: it is killed right after the last 250, while most
 * messages are still waiting, and the restarted process must finish them, none twice.
 */
const mode = process.env.HAVEN_TEST_DB === 'postgres' ? 'postgres' : 'embedded';
const N = 20;

describe(`email durability (${mode})`, { timeout: 240_000 }, () => {
  let env: Record<string, string>;
  let account: SetupResult;
  const cleanups: (() => unknown)[] = [];
  const running = new Set<HavenProcess>();

  async function start(role: 'web' | 'all', smtpPort: number): Promise<HavenProcess> {
    const proc = await startHaven({
      env: { ...env, HAVEN_SMTP_PORT: String(smtpPort), HAVEN_BASE_DOMAIN: 'haven.test' },
      role,
    });
    running.add(proc);
    void proc.exited.then(() => running.delete(proc));
    return proc;
  }

  before(async () => {
    if (mode === 'postgres') {
      const database = await freshPostgresDatabase();
      if (!database) throw new Error('HAVEN_TEST_DB=postgres needs TEST_DATABASE_URL');
      cleanups.push(() => database.drop());
      env = { DATABASE_URL: database.url };
    } else {
      const tmp = tempDir('haven-email-durability-');
      cleanups.push(() => tmp.remove());
      env = { HAVEN_DATA_DIR: path.join(tmp.dir, 'data') };
    }
    account = await setupAccount({ ...env, HAVEN_BASE_DOMAIN: 'haven.test' }, { subdomain: 'crashco' });
  });

  after(async () => {
    for (const proc of running) await proc.stop('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test('every message answered 250 before a kill -9 becomes exactly one ticket after the restart', async () => {
    const smtpPort = await freePort();
    const receiver = await start(mode === 'postgres' ? 'web' : 'all', smtpPort);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
    });
    const subjects = Array.from({ length: N }, (_, i) => `Crash test message ${i} ${Date.now()}`);
    const results = await Promise.all(
      subjects.map((subject, i) =>
        transport.sendMail({
          from: `customer${i}@example.com`,
          to: 'support@crashco.haven.test',
          subject,
          text: `Message number ${i}: where is my order?`,
        }),
      ),
    );
    for (const info of results) assert.match(String(info.response), /^250 /);
    const killed = await receiver.stop('SIGKILL');
    transport.close();
    assert.equal(killed.signal, 'SIGKILL');

    const restarted = await start('all', await freePort());
    const found = await waitFor(
      `${N} tickets from the mail`,
      async () => {
        const res = await fetch(`${restarted.baseUrl}/api/v2/tickets.json?per_page=100`, {
          headers: { authorization: account.auth },
        });
        if (res.status !== 200) return false;
        const body = (await res.json()) as { tickets: { subject: string }[] };
        const mine = body.tickets.filter((t) => subjects.includes(t.subject));
        return mine.length >= N ? mine : false;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nThe restarted process said:\n${restarted.output().slice(-4000)}`);
    });
    // Processing settles before counting: a duplicate would show up as an extra ticket.
    await new Promise((r) => setTimeout(r, 2_000));
    const res = await fetch(`${restarted.baseUrl}/api/v2/tickets.json?per_page=100`, {
      headers: { authorization: account.auth },
    });
    const body = (await res.json()) as { tickets: { subject: string }[] };
    const counts = new Map<string, number>();
    for (const t of body.tickets) counts.set(t.subject, (counts.get(t.subject) ?? 0) + 1);
    for (const subject of subjects)
      assert.equal(counts.get(subject), 1, `"${subject}" became ${counts.get(subject) ?? 0} tickets`);
    assert.ok(found.length >= N);
    const stopped = await restarted.stop('SIGTERM');
    assert.equal(stopped.code, 0, restarted.output());
  });
});
