import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

interface Viewer {
  user_id: number;
  name: string;
  typing: boolean;
  since: string;
}
interface Presence {
  ticket_id: number;
  viewers: Viewer[];
}

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
const sockets: Socket[] = [];
let ann: { id: number };
let rita: { id: number };
let inA: number;
let inB: number;
let annAuth: string;
let ritaAuth: string;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount('presence');
  other = await app.createAccount('presence-other');
  const group = async (name: string) =>
    (await api(app, 'POST', '/api/v2/groups.json', { auth: acct.auth, body: { group: { name } } })).body.group
      .id as number;
  const groupA = await group('A');
  const groupB = await group('B');
  ann = await acct.createUser('Ann Agent', 'ann@presence.test', 'agent');
  rita = await acct.createUser('Rita Restricted', 'rita@presence.test', 'agent');
  await api(app, 'PUT', `/api/v2/users/${rita.id}.json`, {
    auth: acct.auth,
    body: { user: { ticket_restriction: 'groups' } },
  });
  await api(app, 'POST', '/api/v2/group_memberships.json', {
    auth: acct.auth,
    body: { group_membership: { user_id: rita.id, group_id: groupB } },
  });
  annAuth = acct.authAs('ann@presence.test');
  ritaAuth = acct.authAs('rita@presence.test');
  const ticket = async (subject: string, groupId: number) => {
    const res = await api(app, 'POST', '/api/v2/tickets.json', {
      auth: acct.auth,
      body: { ticket: { subject, comment: { body: 'hello' }, group_id: groupId } },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.ticket.id as number;
  };
  inA = await ticket('In group A', groupA);
  inB = await ticket('In group B', groupB);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await app.close();
});

interface Client {
  socket: Socket;
  /** Every ticket:presence this socket received, oldest first. */
  seen: Presence[];
  latest(ticketId: number): Viewer[] | undefined;
  send(event: string, payload: unknown): Promise<any>;
}

function connect(authorization: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = io(app.baseUrl, {
      transports: ['websocket'],
      auth: { authorization },
      reconnection: false,
    });
    sockets.push(socket);
    const seen: Presence[] = [];
    socket.on('ticket:presence', (p: Presence) => seen.push(p));
    socket.on('ready', () =>
      resolve({
        socket,
        seen,
        latest: (ticketId) => seen.filter((p) => p.ticket_id === ticketId).at(-1)?.viewers,
        send: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
      }),
    );
    socket.on('connect_error', reject);
  });
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

const ids = (viewers: Viewer[] | undefined) => (viewers ?? []).map((v) => v.user_id).sort((a, b) => a - b);
const viewer = (viewers: Viewer[] | undefined, userId: number) => viewers?.find((v) => v.user_id === userId);

it('agents on the same ticket see each other, typing, leaving and disconnecting', async () => {
  const admin = await connect(acct.auth);
  const first = await admin.send('ticket:watch', { ticket_id: inA });
  assert.deepEqual(ids(first.viewers), [acct.adminId]);
  assert.equal(first.viewers[0].name, `Admin ${acct.subdomain}`);
  assert.equal(first.viewers[0].typing, false);
  assert.ok(!Number.isNaN(Date.parse(first.viewers[0].since)));

  const annTab1 = await connect(annAuth);
  const joined = await annTab1.send('ticket:watch', { ticket_id: inA });
  assert.deepEqual(
    ids(joined.viewers),
    [acct.adminId, ann.id].sort((a, b) => a - b),
  );
  await until(() => viewer(admin.latest(inA), ann.id)?.name === 'Ann Agent', 'admin sees Ann arrive');

  // A second tab of Ann's is still one viewer; typing in either tab makes Ann typing.
  const annTab2 = await connect(annAuth);
  const again = await annTab2.send('ticket:watch', { ticket_id: inA });
  assert.equal(again.viewers.filter((v: Viewer) => v.user_id === ann.id).length, 1);
  assert.deepEqual(await annTab2.send('ticket:typing', { ticket_id: inA, typing: true }), { ok: true });
  await until(() => viewer(admin.latest(inA), ann.id)?.typing === true, 'admin sees Ann typing');
  assert.equal(admin.latest(inA)!.length, 2);
  await annTab2.send('ticket:typing', { ticket_id: inA, typing: false });
  await until(() => viewer(admin.latest(inA), ann.id)?.typing === false, 'Ann stopped typing');

  // The tab still typing vanishes: its flag goes with it, and Ann stays for her other tab.
  await annTab2.send('ticket:typing', { ticket_id: inA, typing: true });
  await until(() => viewer(admin.latest(inA), ann.id)?.typing === true, 'Ann typing again');
  annTab2.socket.disconnect();
  await until(() => viewer(admin.latest(inA), ann.id)?.typing === false, 'a vanished tab stops typing');
  assert.ok(viewer(admin.latest(inA), ann.id), 'Ann is still there in her first tab');

  // Ann's first tab sees the admin's typing too.
  await admin.send('ticket:typing', { ticket_id: inA, typing: true });
  await until(() => viewer(annTab1.latest(inA), acct.adminId)?.typing === true, 'Ann sees the admin type');
  await admin.send('ticket:typing', { ticket_id: inA, typing: false });

  assert.deepEqual(await annTab1.send('ticket:unwatch', { ticket_id: inA }), { ok: true });
  await until(() => !viewer(admin.latest(inA), ann.id), 'admin sees Ann leave');

  const annAgain = await connect(annAuth);
  await annAgain.send('ticket:watch', { ticket_id: inA });
  await until(() => !!viewer(admin.latest(inA), ann.id), 'Ann is back');
  annAgain.socket.disconnect();
  await until(() => !viewer(admin.latest(inA), ann.id), 'admin sees Ann disconnect');
  assert.deepEqual(ids(admin.latest(inA)), [acct.adminId]);

  // Typing on a ticket the socket left is refused, and tells nobody anything.
  const before = admin.seen.length;
  assert.deepEqual(await annTab1.send('ticket:typing', { ticket_id: inA, typing: true }), {
    error: 'RecordNotFound',
  });
  await admin.send('ticket:unwatch', { ticket_id: inA });
  assert.ok(
    admin.seen.slice(before).every((p) => !viewer(p.viewers, ann.id)),
    'no presence of Ann after she left',
  );
});

it('a restricted agent cannot watch a ticket outside their groups, nor hear about it', async () => {
  const admin = await connect(acct.auth);
  const restricted = await connect(ritaAuth);
  assert.deepEqual(await restricted.send('ticket:watch', { ticket_id: inA }), { error: 'RecordNotFound' });
  await admin.send('ticket:watch', { ticket_id: inA });
  await admin.send('ticket:typing', { ticket_id: inA, typing: true });
  await until(() => viewer(admin.latest(inA), acct.adminId)?.typing === true, 'admin typing on A');

  // On their own group's ticket the restricted agent is a viewer like any other.
  const own = await restricted.send('ticket:watch', { ticket_id: inB });
  assert.deepEqual(ids(own.viewers), [rita.id]);
  await admin.send('ticket:watch', { ticket_id: inB });
  await until(() => viewer(restricted.latest(inB), acct.adminId) !== undefined, 'Rita sees the admin on B');

  assert.ok(!restricted.seen.some((p) => p.ticket_id === inA), 'nothing about A reached Rita');
  assert.ok(!viewer(admin.latest(inA), rita.id), 'Rita never showed up on A');
  admin.socket.disconnect();
  restricted.socket.disconnect();
});

it("another account's agent gets RecordNotFound and joins nothing", async () => {
  const admin = await connect(acct.auth);
  const outsider = await connect(other.auth);
  await admin.send('ticket:watch', { ticket_id: inB });
  assert.deepEqual(await outsider.send('ticket:watch', { ticket_id: inB }), { error: 'RecordNotFound' });
  assert.deepEqual(await outsider.send('ticket:typing', { ticket_id: inB, typing: true }), {
    error: 'RecordNotFound',
  });
  await admin.send('ticket:typing', { ticket_id: inB, typing: true });
  await until(() => viewer(admin.latest(inB), acct.adminId)?.typing === true, 'admin typing on B');
  assert.ok(!viewer(admin.latest(inB), other.adminId), 'the outsider is not a viewer');
  assert.deepEqual(outsider.seen, []);
  admin.socket.disconnect();
  outsider.socket.disconnect();
});

it('ignores junk payloads and never repeats anything but the flags', async () => {
  const admin = await connect(acct.auth);
  const ann2 = await connect(annAuth);
  for (const junk of [null, 'x', { ticket_id: 'one' }, { ticket_id: -3 }, { ticket_id: 1.5 }, []]) {
    assert.deepEqual(await ann2.send('ticket:watch', junk), { error: 'InvalidRequest' });
  }
  await admin.send('ticket:watch', { ticket_id: inA });
  await ann2.send('ticket:watch', { ticket_id: inA });
  assert.deepEqual(await ann2.send('ticket:typing', { ticket_id: inA, typing: 'yes' }), {
    error: 'InvalidRequest',
  });
  await ann2.send('ticket:typing', { ticket_id: inA, typing: true, body: 'draft secret words' });
  await until(() => viewer(admin.latest(inA), ann.id)?.typing === true, 'Ann typing');
  assert.ok(!JSON.stringify(admin.seen).includes('secret words'), 'presence carries flags, not text');
  for (const p of admin.seen)
    for (const v of p.viewers)
      assert.deepEqual(Object.keys(v).sort(), ['name', 'since', 'typing', 'user_id']);
  admin.socket.disconnect();
  ann2.socket.disconnect();
});
