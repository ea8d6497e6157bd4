import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import {
  createUserVia,
  freshPostgresDatabase,
  type HavenProcess,
  type SetupResult,
  setupAccount,
  startHaven,
  waitFor,
} from '../support/processes.ts';

/**
 * Several `haven serve` processes on one PostgreSQL database, as a scale-out install runs them:
 * node A (--role all: web, worker and scheduler), node B (--role web) and node C (--role worker).
 * A write on one node reaches an agent connected to another, once, whichever relay dispatched it.
 * Runs once with the Postgres socket.io adapter and once with the Redis one when TEST_REDIS_URL is set.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
if (!databaseUrl)
  console.log('# multinode: TEST_DATABASE_URL is not set, so the multi-node suite is skipped');

const variants: { adapter: string; env: Record<string, string> }[] = [{ adapter: 'postgres', env: {} }];
if (redisUrl) variants.push({ adapter: 'redis', env: { REDIS_URL: redisUrl } });
else console.log('# multinode: TEST_REDIS_URL is not set, so the Redis adapter variant is skipped');

interface RealtimeEvent {
  id: number;
  type: string;
  subject_type: string;
  subject_id: number | null;
  actor_id: number | null;
}

for (const variant of variants) {
  describe(`multi-node realtime (${variant.adapter} adapter)`, {
    skip: !databaseUrl,
    timeout: 240_000,
  }, () => {
    let drop: () => Promise<void> = async () => {};
    let client: pg.Client | null = null;
    const nodes: HavenProcess[] = [];
    const sockets: Socket[] = [];
    let acme: SetupResult;
    let other: SetupResult;
    let nodeA: HavenProcess;
    let nodeB: HavenProcess;

    before(async () => {
      const database = await freshPostgresDatabase();
      if (!database) throw new Error('TEST_DATABASE_URL is needed');
      drop = database.drop;
      const env = { DATABASE_URL: database.url, ...variant.env };
      // Setup migrates the database, so the nodes below start on a migrated schema.
      acme = await setupAccount(env, { subdomain: 'acme', email: 'admin@acme.example' });
      other = await setupAccount(env, { subdomain: 'other', email: 'admin@other.example' });
      const started = await Promise.allSettled([
        startHaven({ env, role: 'all' }),
        startHaven({ env, role: 'web' }),
        startHaven({ env, role: 'worker' }),
      ]);
      for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      [nodeA, nodeB] = nodes as [HavenProcess, HavenProcess];
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
    });

    after(async () => {
      for (const socket of sockets) socket.disconnect();
      await client?.end().catch(() => {});
      const exits = await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
      await drop();
      // A node that cannot shut down cleanly in a cluster is a bug worth failing on.
      for (const [i, exit] of exits.entries())
        assert.equal(exit.code, 0, `node ${i} exit:\n${nodes[i]!.output()}`);
    });

    /** Connects an agent socket and resolves on the server's 'ready', collecting every 'event' it gets. */
    function connect(node: HavenProcess, authorization: string, how: 'header' | 'auth' = 'header') {
      const events: RealtimeEvent[] = [];
      const socket = io(node.baseUrl, {
        transports: ['websocket'],
        reconnection: false,
        timeout: 15_000,
        ...(how === 'header' ? { extraHeaders: { authorization } } : { auth: { authorization } }),
      });
      sockets.push(socket);
      socket.on('event', (e: RealtimeEvent) => events.push(e));
      const ready = new Promise<{ user_id: number; account_id: number }>((resolve, reject) => {
        socket.on('ready', resolve);
        socket.on('connect_error', reject);
      });
      return { socket, events, ready };
    }

    test('an agent on node B gets, exactly once, the events of writes made on node A', async () => {
      const agentB = connect(nodeB, acme.auth, 'header');
      const agentA = connect(nodeA, acme.auth, 'auth');
      const outsider = connect(nodeB, other.auth, 'auth');
      const hello = await agentB.ready;
      assert.deepEqual(hello, { user_id: acme.admin.id, account_id: acme.account.id });
      await agentA.ready;
      await outsider.ready;

      const created = await createUserVia(nodeA.baseUrl, acme.auth, {
        name: 'Cross Node',
        email: 'cross@example.com',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const userId = created.body.user.id as number;
      const event = await waitFor('user.created on node B', () =>
        agentB.events.find((e) => e.type === 'user.created' && e.subject_id === userId),
      );
      assert.equal(event.subject_type, 'user');
      assert.equal(event.actor_id, acme.admin.id);

      // More writes, on both web nodes; each event is dispatched by whichever relay (A or C) locks it first.
      const ids = [userId];
      for (let i = 0; i < 8; i++) {
        const node = i % 2 ? nodeA : nodeB;
        const res = await createUserVia(node.baseUrl, acme.auth, {
          name: `Batch ${i}`,
          email: `batch${i}@example.com`,
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ids.push(res.body.user.id);
      }
      const seenOnce = (events: RealtimeEvent[]) =>
        ids.every((id) => events.some((e) => e.type === 'user.created' && e.subject_id === id));
      await waitFor(
        'every user.created on both agents',
        () => seenOnce(agentB.events) && seenOnce(agentA.events),
      );

      // Every event is marked dispatched, and no relay picks one up a second time: a later event's arrival
      // after two more relay polls is the point by which a duplicate would have shown up.
      const rows = await client!.query<{ id: string; subject_id: string; dispatched_at: Date | null }>(
        `select id, subject_id, dispatched_at from events where type = 'user.created' and subject_id = any($1::bigint[])`,
        [ids],
      );
      assert.equal(rows.rows.length, ids.length, 'one event per created user');
      for (const row of rows.rows) assert.ok(row.dispatched_at, `event ${row.id} is not marked dispatched`);
      const marker = await createUserVia(nodeB.baseUrl, acme.auth, {
        name: 'Marker',
        email: 'marker@example.com',
      });
      assert.equal(marker.status, 201);
      await waitFor('the marker event', () =>
        agentB.events.some((e) => e.subject_id === marker.body.user.id),
      );
      await new Promise((r) => setTimeout(r, 1_500)); // relay polls every 500 ms; a wait, not an assertion
      for (const agent of [agentA, agentB]) {
        for (const id of ids) {
          const copies = agent.events.filter((e) => e.type === 'user.created' && e.subject_id === id);
          assert.equal(copies.length, 1, `user.created for ${id} arrived ${copies.length} times`);
        }
      }
      const eventIds = agentB.events.map((e) => e.id);
      assert.equal(new Set(eventIds).size, eventIds.length, 'an event id arrived twice');

      // The other account's agent, on the same node, heard nothing of acme.
      const leaked = outsider.events.filter((e) => ids.includes(e.subject_id!));
      assert.deepEqual(leaked, []);
    });

    test('a socket with bad credentials is refused', async () => {
      const wrongToken = `Basic ${Buffer.from('admin@acme.example/token:not-the-token').toString('base64')}`;
      await assert.rejects(connect(nodeB, wrongToken, 'header').ready, /authenticate/);
      await assert.rejects(connect(nodeA, wrongToken, 'auth').ready, /authenticate/);
      const noCredentials = connect(nodeB, '', 'auth');
      await assert.rejects(noCredentials.ready, /authenticate/);
    });
  });
}
