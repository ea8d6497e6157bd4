import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createUserVia,
  freshPostgresDatabase,
  type HavenProcess,
  runHaven,
  type SetupResult,
  setupAccount,
  startHaven,
  tempDir,
  waitFor,
} from './support/processes.ts';

/**
 * What a client was told is kept must survive the process: kill -9 after acknowledged writes, and a
 * SIGTERM that lets in-flight requests finish. Runs on the embedded database in the embedded run and on
 * a fresh PostgreSQL database in the PostgreSQL run (scripts/test.mjs runs this file in both).
 */
const mode = process.env.HAVEN_TEST_DB === 'postgres' ? 'postgres' : 'embedded';

describe(`durability (${mode})`, { timeout: 240_000 }, () => {
  let env: Record<string, string>;
  let dataDir: string | null = null;
  let account: SetupResult;
  const cleanups: (() => unknown)[] = [];
  const running = new Set<HavenProcess>();

  async function start(): Promise<HavenProcess> {
    const proc = await startHaven({ env });
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
      const tmp = tempDir('haven-durability-');
      cleanups.push(() => tmp.remove());
      dataDir = path.join(tmp.dir, 'data');
      env = { HAVEN_DATA_DIR: dataDir };
    }
    account = await setupAccount(env);
  });

  after(async () => {
    for (const proc of running) await proc.stop('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function assertUsersExist(baseUrl: string, users: Map<number, string>) {
    for (const [id, email] of users) {
      const res = await fetch(`${baseUrl}/api/v2/users/${id}`, { headers: { authorization: account.auth } });
      assert.equal(res.status, 200, `acknowledged user ${id} (${email}) is gone`);
      const body = (await res.json()) as { user: { id: number; email: string } };
      assert.equal(body.user.email, email);
    }
  }

  test('every user acknowledged before a kill -9 is there after a restart', async () => {
    const first = await start();
    const acknowledged = new Map<number, string>();
    let stop = false;
    let n = 0;
    // Four writers keep requests in flight, so the kill lands mid-write rather than between writes.
    const writer = async () => {
      while (!stop) {
        const email = `crash-${n++}@example.com`;
        const res = await createUserVia(first.baseUrl, account.auth, { name: `Crash ${n}`, email }).catch(
          () => null,
        );
        if (res?.status === 201) acknowledged.set(res.body.user.id, email);
        else if (res) assert.fail(`unexpected ${res.status} before the kill: ${JSON.stringify(res.body)}`);
        else return; // the connection died: the process is gone
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    await waitFor('25 acknowledged writes', () => acknowledged.size >= 25, 60_000);
    const killed = await first.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.equal(killed.signal, 'SIGKILL');
    const snapshot = new Map(acknowledged);

    // The embedded lock file still names the dead process; the restart must take it over.
    if (dataDir)
      assert.ok(fs.existsSync(path.join(dataDir, 'haven.lock')), 'a kill -9 leaves the lock file behind');
    const second = await start();
    await assertUsersExist(second.baseUrl, snapshot);
    const stopped = await second.stop('SIGTERM');
    assert.equal(stopped.code, 0, second.output());
  });

  test('SIGTERM finishes in-flight requests, exits 0 and releases the data directory', async () => {
    const proc = await start();

    if (dataDir) {
      // A second process on the same embedded directory would corrupt it: it must refuse, saying why.
      const refused = await runHaven(
        [
          'setup',
          '--subdomain',
          'other',
          '--name',
          'Other',
          '--admin-email',
          'o@example.com',
          '--admin-password',
          'another long password',
        ],
        env,
      );
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /data directory .* is in use/i);
      assert.ok(fs.existsSync(path.join(dataDir, 'haven.lock')));
    }

    // A slow stream of writes, one at a time, running through the shutdown (bounded, and stopped on failure).
    const acknowledged = new Map<number, string>();
    let streaming = true;
    let s = 0;
    const stream = (async () => {
      while (streaming && s < 2_000) {
        const email = `stream-${s++}@example.com`;
        const res = await createUserVia(proc.baseUrl, account.auth, { name: 'Stream', email }).catch(
          () => null,
        );
        if (res?.status === 201) acknowledged.set(res.body.user.id, email);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await waitFor('the stream to get going', () => acknowledged.size >= 3);

      // Requests whose bodies are still arriving when SIGTERM lands: in flight by any definition.
      const slow = [0, 1, 2].map((i) =>
        slowCreateUser(proc.port!, account.auth, `inflight-${i}@example.com`),
      );
      await Promise.all(slow.map((r) => r.headersSent));
      await new Promise((r) => setTimeout(r, 300)); // let the server accept them; not an assertion
      process.kill(proc.pid, 'SIGTERM');
      // Once new connections are refused the server is shutting down; only then finish the bodies.
      await waitFor(
        'the listener to close',
        () =>
          fetch(`${proc.baseUrl}/healthz`, { headers: { connection: 'close' } })
            .then(() => false)
            .catch(() => true),
        20_000,
      );
      for (const r of slow) r.finish();
      const results = await Promise.all(slow.map((r) => r.response));
      for (const result of results) {
        assert.equal(result.status, 201, `an in-flight request was cut off: ${result.status} ${result.body}`);
        const user = JSON.parse(result.body).user as { id: number; email: string };
        acknowledged.set(user.id, user.email);
      }
      const exit = await proc.exited;
      assert.equal(exit.code, 0, `haven did not exit cleanly:\n${proc.output()}`);
      if (dataDir)
        assert.ok(!fs.existsSync(path.join(dataDir, 'haven.lock')), 'the lock file was not released');
    } finally {
      streaming = false;
      await stream;
    }

    const again = await start();
    await assertUsersExist(again.baseUrl, acknowledged);
    assert.equal((await again.stop('SIGTERM')).code, 0);
  });
});

/** A POST /api/v2/users whose body is held back until `finish()`. */
function slowCreateUser(port: number, auth: string, email: string) {
  const body = JSON.stringify({ user: { name: 'In flight', email } });
  const cut = Math.floor(body.length / 2);
  let sent!: () => void;
  const headersSent = new Promise<void>((resolve) => (sent = resolve));
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v2/users',
    agent: false,
    headers: {
      authorization: auth,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  req.write(body.slice(0, cut), () => sent());
  return { headersSent, response, finish: () => req.end(body.slice(cut)) };
}
