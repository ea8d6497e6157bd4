import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
const sockets: Socket[] = [];
let groupA: number;
let groupB: number;
let restrictedAuth: string;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount('rt-tickets');
  other = await app.createAccount('rt-tickets-other');
  groupA = (
    await api(app, 'POST', '/api/v2/groups.json', { auth: acct.auth, body: { group: { name: 'A' } } })
  ).body.group.id;
  groupB = (
    await api(app, 'POST', '/api/v2/groups.json', { auth: acct.auth, body: { group: { name: 'B' } } })
  ).body.group.id;
  const rita = await acct.createUser('Rita', 'rita@rt.test', 'agent');
  await api(app, 'PUT', `/api/v2/users/${rita.id}.json`, {
    auth: acct.auth,
    body: { user: { ticket_restriction: 'groups' } },
  });
  await api(app, 'POST', '/api/v2/group_memberships.json', {
    auth: acct.auth,
    body: { group_membership: { user_id: rita.id, group_id: groupB } },
  });
  restrictedAuth = acct.authAs('rita@rt.test');
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await app.close();
});

function connect(authorization: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(app.baseUrl, {
      transports: ['websocket'],
      auth: { authorization },
      reconnection: false,
    });
    sockets.push(socket);
    socket.on('ready', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}

function collect(socket: Socket): any[] {
  const seen: any[] = [];
  socket.on('event', (e) => seen.push(e));
  return seen;
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

it('agents hear ticket changes they may see, and nothing else', async () => {
  const admin = collect(await connect(acct.auth));
  const restricted = collect(await connect(restrictedAuth));
  const outsider = collect(await connect(other.auth));

  const inA = await api(app, 'POST', '/api/v2/tickets.json', {
    auth: acct.auth,
    body: { ticket: { subject: 'In A', comment: { body: 'secret words' }, group_id: groupA } },
  });
  const inB = await api(app, 'POST', '/api/v2/tickets.json', {
    auth: acct.auth,
    body: { ticket: { subject: 'In B', comment: { body: 'x' }, group_id: groupB } },
  });
  const a = inA.body.ticket.id;
  const b = inB.body.ticket.id;
  await api(app, 'PUT', `/api/v2/tickets/${a}.json`, {
    auth: acct.auth,
    body: { ticket: { comment: { body: 'a reply', public: true } } },
  });

  await until(
    () => admin.some((e) => e.type === 'ticket.updated' && e.subject_id === a),
    'admin hears the update',
  );
  assert.ok(admin.some((e) => e.type === 'ticket.created' && e.subject_id === b));
  const update = admin.find((e) => e.type === 'ticket.updated' && e.subject_id === a);
  assert.equal(typeof update.payload.comment_id, 'number');
  assert.ok(!JSON.stringify(admin).includes('secret words'), 'events carry ids, not text');

  await until(
    () => restricted.some((e) => e.type === 'ticket.created' && e.subject_id === b),
    'restricted hears B',
  );
  assert.ok(
    !restricted.some((e) => e.subject_id === a && e.subject_type === 'ticket'),
    'restricted never hears A',
  );
  assert.ok(!outsider.some((e) => e.subject_type === 'ticket'), 'another account hears nothing');

  // Deleting and restoring reach the same audience as any other change to the ticket.
  assert.equal((await api(app, 'DELETE', `/api/v2/tickets/${b}.json`, { auth: acct.auth })).status, 204);
  const restored = await api(app, 'PUT', `/api/v2/deleted_tickets/${b}/restore.json`, { auth: acct.auth });
  assert.equal(restored.status, 200);
  await until(
    () => restricted.some((e) => e.type === 'ticket.restored' && e.subject_id === b),
    'restricted hears B restored',
  );
  assert.ok(restricted.some((e) => e.type === 'ticket.deleted' && e.subject_id === b));
});
