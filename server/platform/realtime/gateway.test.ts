import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { createSession } from '../../modules/access/access.commands.ts';

let app: TestApp;
let acme: TestAccount;
let other: TestAccount;
const sockets: Socket[] = [];

before(async () => {
  app = await startTestApp();
  acme = await app.createAccount('rt-acme');
  other = await app.createAccount('rt-other');
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await app.close();
});

function connect(authorization: string, cookie?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(app.baseUrl, {
      transports: ['websocket'],
      auth: authorization ? { authorization } : {},
      extraHeaders: cookie ? { cookie } : {},
      reconnection: false,
    });
    sockets.push(socket);
    socket.on('ready', () => resolve(socket));
    socket.on('connect_error', (err) => reject(err));
  });
}

function nextEvent(socket: Socket, type: string, subjectId: number): Promise<any> {
  return new Promise((resolve) => {
    socket.on('event', (e) => {
      if (e.type === type && e.subject_id === subjectId) resolve(e);
    });
  });
}

it('pushes committed events to the agents of the same account only', async () => {
  const mine = await connect(acme.auth);
  const theirs = await connect(other.auth);
  const leaked: unknown[] = [];
  theirs.on('event', (e) => leaked.push(e));

  const created = await api(app, 'POST', '/api/v2/users.json', {
    auth: acme.auth,
    body: { user: { name: 'Live', email: 'live@c.test' } },
  });
  assert.equal(created.status, 201);
  const event = await nextEvent(mine, 'user.created', created.body.user.id);
  assert.equal(event.subject_type, 'user');
  assert.equal(event.actor_id, acme.adminId);
  assert.equal(JSON.stringify(event).includes('live@c.test'), false);

  // The other account's socket saw nothing of it, even after a later event of its own arrived.
  const own = await api(app, 'POST', '/api/v2/users.json', {
    auth: other.auth,
    body: { user: { name: 'Theirs' } },
  });
  await nextEvent(theirs, 'user.created', own.body.user.id);
  assert.equal(leaked.filter((e: any) => e.subject_id === created.body.user.id).length, 0);
});

it('refuses sockets without valid agent credentials', async () => {
  await assert.rejects(connect('Basic bm9ib2R5OmF0YWxs'), /authenticate/);
  await api(app, 'POST', '/api/v2/users.json', {
    auth: acme.auth,
    body: { user: { name: 'End', email: 'end@c.test' } },
  });
  await assert.rejects(connect(acme.authAs('end@c.test')), /authenticate/);
});

it('accepts the browser session cookie, as the agent workspace connects', async () => {
  const session = await createSession(app.runtime.services.tenantDb(acme.id), {
    userId: acme.adminId,
    userName: 'Admin',
    ip: null,
    userAgent: 'test',
    days: 1,
  });
  const socket = await connect('', `theme=dark; haven_session=${session.token}`);
  const created = await api(app, 'POST', '/api/v2/users.json', {
    auth: acme.auth,
    body: { user: { name: 'Seen by cookie' } },
  });
  await nextEvent(socket, 'user.created', created.body.user.id);
  await assert.rejects(connect('', 'haven_session=not-a-session'), /authenticate/);
});
