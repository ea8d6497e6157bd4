import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import {
  basicToken,
  createUserVia,
  freshPostgresDatabase,
  type HavenProcess,
  type SetupResult,
  setupAccount,
  startHaven,
  waitFor,
} from '../support/processes.ts';

/**
 * Collision detection across a scale-out install: agents connected to different web nodes watch the same
 * ticket and see each other arrive, type and leave, because the viewer list is rebuilt from every node's
 * sockets through the socket.io adapter. Runs with the Postgres adapter, and with Redis when TEST_REDIS_URL
 * is set.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
if (!databaseUrl) console.log('# multinode: TEST_DATABASE_URL is not set, so the presence suite is skipped');

const variants: { adapter: string; env: Record<string, string> }[] = [{ adapter: 'postgres', env: {} }];
if (redisUrl) variants.push({ adapter: 'redis', env: { REDIS_URL: redisUrl } });

interface Viewer {
  user_id: number;
  name: string;
  typing: boolean;
  since: string;
}

for (const variant of variants) {
  describe(`multi-node ticket presence (${variant.adapter} adapter)`, {
    skip: !databaseUrl,
    timeout: 240_000,
  }, () => {
    let drop: () => Promise<void> = async () => {};
    const nodes: HavenProcess[] = [];
    const sockets: Socket[] = [];
    let acme: SetupResult;
    let nodeA: HavenProcess;
    let nodeB: HavenProcess;

    before(async () => {
      const database = await freshPostgresDatabase();
      if (!database) throw new Error('TEST_DATABASE_URL is needed');
      drop = database.drop;
      const env = { DATABASE_URL: database.url, ...variant.env };
      acme = await setupAccount(env, { subdomain: 'acme', email: 'admin@acme.example' });
      const started = await Promise.allSettled([
        startHaven({ env, role: 'all' }),
        startHaven({ env, role: 'web' }),
      ]);
      for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      [nodeA, nodeB] = nodes as [HavenProcess, HavenProcess];
    });

    after(async () => {
      for (const socket of sockets) socket.disconnect();
      const exits = await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
      await drop();
      for (const [i, exit] of exits.entries())
        assert.equal(exit.code, 0, `node ${i} exit:\n${nodes[i]!.output()}`);
    });

    function connect(node: HavenProcess, authorization: string) {
      const latest = new Map<number, Viewer[]>();
      const socket = io(node.baseUrl, {
        transports: ['websocket'],
        reconnection: false,
        timeout: 15_000,
        auth: { authorization },
      });
      sockets.push(socket);
      socket.on('ticket:presence', (p: { ticket_id: number; viewers: Viewer[] }) =>
        latest.set(p.ticket_id, p.viewers),
      );
      const ready = new Promise<void>((resolve, reject) => {
        socket.on('ready', () => resolve());
        socket.on('connect_error', reject);
      });
      const send = (event: string, payload: unknown) => socket.timeout(15_000).emitWithAck(event, payload);
      return { socket, latest, ready, send };
    }

    test('an agent on node A sees an agent on node B arrive, type and leave', async () => {
      const agent = await createUserVia(nodeA.baseUrl, acme.auth, {
        name: 'Bea on B',
        email: 'bea@acme.example',
        role: 'agent',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
      const beaId = agent.body.user.id as number;
      const created = await fetch(`${nodeA.baseUrl}/api/v2/tickets`, {
        method: 'POST',
        headers: { authorization: acme.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ticket: { subject: 'Both nodes', comment: { body: 'hello' } } }),
      });
      assert.equal(created.status, 201);
      const ticketId = ((await created.json()) as any).ticket.id as number;

      const onA = connect(nodeA, acme.auth);
      const onB = connect(nodeB, basicToken('bea@acme.example', acme.api_token));
      await Promise.all([onA.ready, onB.ready]);

      const first = await onA.send('ticket:watch', { ticket_id: ticketId });
      assert.deepEqual(
        first.viewers.map((v: Viewer) => v.user_id),
        [acme.admin.id],
      );
      const second = await onB.send('ticket:watch', { ticket_id: ticketId });
      assert.deepEqual(
        second.viewers.map((v: Viewer) => v.user_id).sort(),
        [acme.admin.id, beaId].sort(),
        'node B lists the agent connected to node A',
      );
      const bea = () => onA.latest.get(ticketId)?.find((v) => v.user_id === beaId);
      await waitFor('node A hears Bea arrive', () => bea()?.name === 'Bea on B');

      await onB.send('ticket:typing', { ticket_id: ticketId, typing: true });
      await waitFor('node A hears Bea typing', () => bea()?.typing === true);
      await onA.send('ticket:typing', { ticket_id: ticketId, typing: true });
      await waitFor(
        'node B hears the admin typing',
        () => onB.latest.get(ticketId)?.find((v) => v.user_id === acme.admin.id)?.typing === true,
      );

      onB.socket.disconnect();
      await waitFor('node A hears Bea leave', () => onA.latest.get(ticketId) !== undefined && !bea());
      assert.deepEqual(
        onA.latest.get(ticketId)!.map((v) => v.user_id),
        [acme.admin.id],
      );
    });
  });
}
