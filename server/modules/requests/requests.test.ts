import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let carlaId: number;
let erinId: number;
let carla: string;
let dan: string;
let erin: string;
let agent: string;
let sharedOrgId: number;

const NOTE = 'internal-note-zx81';

async function openRequest(auth: string, request: Record<string, unknown>) {
  const res = await api(app, 'POST', '/api/v2/requests.json', { auth, body: { request } });
  assert.equal(res.status, 201, res.text);
  return res.body.request as Record<string, any>;
}
async function agentUpdate(id: number, ticket: Record<string, unknown>) {
  const res = await api(app, 'PUT', `/api/v2/tickets/${id}.json`, { auth: acct.auth, body: { ticket } });
  assert.equal(res.status, 200, res.text);
  return res.body.ticket;
}
async function get(path: string, auth: string) {
  return api(app, 'GET', path, { auth });
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  agentId = (await acct.createUser('Agnes Agent', 'agnes@requests.test', 'agent')).id;
  const org = await api(app, 'POST', '/api/v2/organizations.json', {
    auth: acct.auth,
    body: { organization: { name: 'Sharing Co', shared_tickets: true, shared_comments: false } },
  });
  assert.equal(org.status, 201, org.text);
  sharedOrgId = org.body.organization.id;
  const member = async (name: string, email: string) => {
    const res = await api(app, 'POST', '/api/v2/users.json', {
      auth: acct.auth,
      body: { user: { name, email, organization_id: sharedOrgId } },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.user.id as number;
  };
  carlaId = await member('Carla Customer', 'carla@requests.test');
  await member('Dan Colleague', 'dan@requests.test');
  erinId = (await acct.createUser('Erin Outsider', 'erin@requests.test', 'end-user')).id;
  carla = acct.authAs('carla@requests.test');
  dan = acct.authAs('dan@requests.test');
  erin = acct.authAs('erin@requests.test');
  agent = acct.authAs('agnes@requests.test');
});

after(async () => {
  await app?.close();
});

describe('opening and reading requests', () => {
  test('an end-user opens a request: they are its requester, its comment is public, 201 with Location', async () => {
    const res = await api(app, 'POST', '/api/v2/requests.json', {
      auth: carla,
      body: {
        request: {
          subject: 'Broken login',
          comment: { body: 'My password is refused.' },
          // Not for end-users to set: ignored.
          requester_id: erinId,
          assignee_id: agentId,
          tags: ['vip'],
          status: 'solved',
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    const r = res.body.request;
    assert.equal(res.headers.get('location'), r.url);
    assert.match(r.url, /\/api\/v2\/requests\/\d+\.json$/);
    assert.equal(r.subject, 'Broken login');
    assert.equal(r.description, 'My password is refused.');
    assert.equal(r.status, 'new');
    assert.equal(r.requester_id, carlaId);
    assert.equal(r.assignee_id, null);
    assert.equal(r.organization_id, sharedOrgId);
    assert.equal(r.can_be_solved_by_me, false);
    assert.equal(r.solved, false);
    assert.equal('tags' in r, false);
    assert.equal(res.body.audit, undefined);

    const ticket = await get(`/api/v2/tickets/${r.id}.json`, acct.auth);
    assert.equal(ticket.body.ticket.submitter_id, carlaId);
    assert.deepEqual(ticket.body.ticket.tags, []);
    const comments = await get(`/api/v2/tickets/${r.id}/comments.json`, acct.auth);
    assert.equal(comments.body.comments[0].author_id, carlaId);
    assert.equal(comments.body.comments[0].public, true);
  });

  test('a request needs a comment', async () => {
    const res = await api(app, 'POST', '/api/v2/requests.json', {
      auth: carla,
      body: { request: { subject: 'Nothing to say', comment: { body: '   ' } } },
    });
    assert.equal(res.status, 422);
    assert.ok(res.body.details.description);
  });

  test('internal notes never reach the requester: not in comments, not in the request, not by id', async () => {
    const r = await openRequest(carla, { subject: 'Invoice wrong', comment: { body: 'Please check.' } });
    await agentUpdate(r.id, { comment: { body: `${NOTE} customer is difficult`, public: false } });
    await agentUpdate(r.id, { comment: { body: 'We are looking into it.', public: true } });

    const comments = await get(`/api/v2/requests/${r.id}/comments.json`, carla);
    assert.equal(comments.status, 200);
    assert.deepEqual(
      comments.body.comments.map((c: any) => c.body),
      ['Please check.', 'We are looking into it.'],
    );
    assert.ok(comments.body.comments.every((c: any) => c.public === true && c.request_id === r.id));
    assert.equal(comments.body.count, 2);
    // Authors side-loaded with only what a requester may see.
    const names = comments.body.users.map((u: any) => u.name).sort();
    assert.deepEqual(names, [`Admin ${acct.subdomain}`, 'Carla Customer'].sort());
    for (const u of comments.body.users) {
      assert.deepEqual(Object.keys(u).sort(), ['agent', 'id', 'name', 'organization_id', 'photo']);
    }
    assert.equal(comments.body.users.find((u: any) => u.id === carlaId).agent, false);
    assert.equal(comments.body.users.find((u: any) => u.id === acct.adminId).agent, true);

    const all = await get(`/api/v2/tickets/${r.id}/comments.json`, acct.auth);
    const note = all.body.comments.find((c: any) => c.public === false);
    assert.ok(note, 'agents see the note');
    const byId = await get(`/api/v2/requests/${r.id}/comments/${note.id}.json`, carla);
    assert.equal(byId.status, 404);
    const pub = all.body.comments.find((c: any) => c.body === 'We are looking into it.');
    const shown = await get(`/api/v2/requests/${r.id}/comments/${pub.id}.json`, carla);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.comment.body, 'We are looking into it.');

    for (const path of [
      `/api/v2/requests/${r.id}.json?include=users`,
      '/api/v2/requests.json?include=users',
      '/api/v2/requests/open.json',
      `/api/v2/requests/${r.id}/comments.json`,
      `/api/v2/requests/${r.id}/comments.json?page%5Bsize%5D=1`,
    ]) {
      const res = await get(path, carla);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.ok(!res.text.includes(NOTE), `${path} leaks the internal note`);
    }
    // Nor does answering the request show it.
    const reply = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { comment: { body: 'Thanks' } } },
    });
    assert.equal(reply.status, 200);
    assert.ok(!reply.text.includes(NOTE));
  });

  test('a ticket opened with an internal note shows its requester no description', async () => {
    const res = await api(app, 'POST', '/api/v2/tickets.json', {
      auth: acct.auth,
      body: {
        ticket: {
          subject: 'Proactive outreach',
          requester_id: carlaId,
          comment: { body: `${NOTE} flagged by fraud team`, public: false },
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    const id = res.body.ticket.id;
    const shown = await get(`/api/v2/requests/${id}.json`, carla);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.request.description, '');
    assert.equal(shown.body.request.subject, 'Proactive outreach');
    assert.ok(!shown.text.includes(NOTE));
    const list = await get('/api/v2/requests.json?per_page=100', carla);
    assert.ok(list.body.requests.some((r: any) => r.id === id));
    assert.ok(!list.text.includes(NOTE));
    const comments = await get(`/api/v2/requests/${id}/comments.json`, carla);
    assert.deepEqual(comments.body.comments, []);
  });

  test("another end-user's request, and another account's, are 404", async () => {
    const r = await openRequest(erin, { subject: 'Erin only', comment: { body: 'private matter' } });
    for (const [method, path] of [
      ['GET', `/api/v2/requests/${r.id}.json`],
      ['GET', `/api/v2/requests/${r.id}/comments.json`],
      ['PUT', `/api/v2/requests/${r.id}.json`],
    ] as const) {
      const res = await api(app, method, path, {
        auth: carla,
        body: method === 'PUT' ? { request: { comment: { body: 'me too' } } } : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error, 'RecordNotFound');
    }
    const list = await get('/api/v2/requests.json?per_page=100', carla);
    assert.ok(!list.body.requests.some((x: any) => x.id === r.id));

    const foreign = await get(`/api/v2/requests/${r.id}.json`, other.auth);
    assert.equal(foreign.status, 404);
    const foreignList = await get('/api/v2/requests.json', other.auth);
    assert.deepEqual(foreignList.body.requests, []);
  });
});

describe('lists', () => {
  test('status filters speak the requester’s language: on-hold shows as open', async () => {
    const held = await openRequest(erin, { subject: 'Held', comment: { body: 'waiting' } });
    await agentUpdate(held.id, { status: 'hold' });
    const shown = await get(`/api/v2/requests/${held.id}.json`, erin);
    assert.equal(shown.body.request.status, 'open');

    const solved = await openRequest(erin, { subject: 'Done', comment: { body: 'fixed?' } });
    await agentUpdate(solved.id, { status: 'solved', assignee_id: agentId });
    const pending = await openRequest(erin, { subject: 'Waiting on me', comment: { body: 'hm' } });
    await agentUpdate(pending.id, { status: 'pending' });

    const ids = async (path: string) => (await get(path, erin)).body.requests.map((r: any) => r.id);
    assert.ok((await ids('/api/v2/requests.json?status=open')).includes(held.id));
    assert.ok(!(await ids('/api/v2/requests.json?status=open')).includes(pending.id));
    assert.deepEqual(await ids('/api/v2/requests.json?status=hold'), []);
    assert.deepEqual(await ids('/api/v2/requests.json?status=solved,pending'), [solved.id, pending.id]);
    assert.ok(!(await ids('/api/v2/requests/open.json')).includes(solved.id));
    assert.ok((await ids('/api/v2/requests/open.json')).includes(pending.id));
    assert.deepEqual(await ids('/api/v2/requests/solved.json'), [solved.id]);
    const bad = await get('/api/v2/requests.json?status=done', erin);
    assert.equal(bad.status, 400);
  });

  test("organization members see shared requests; CC'd users see theirs under /ccd", async () => {
    const r = await openRequest(carla, { subject: 'Team issue', comment: { body: 'for all of us' } });
    const danList = await get('/api/v2/requests.json?per_page=100', dan);
    assert.ok(
      danList.body.requests.some((x: any) => x.id === r.id),
      'shared with the organization',
    );
    // The organization shares tickets but not comments: Dan reads, but may not write.
    const danReply = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: dan,
      body: { request: { comment: { body: 'me too' } } },
    });
    assert.equal(danReply.status, 403, danReply.text);

    const ccd = await openRequest(carla, {
      subject: 'Looping in Erin',
      comment: { body: 'see below' },
      collaborators: ['erin@requests.test'],
    });
    assert.deepEqual(ccd.collaborator_ids, [erinId]);
    const erinCcd = await get('/api/v2/requests/ccd.json', erin);
    assert.deepEqual(
      erinCcd.body.requests.map((x: any) => x.id),
      [ccd.id],
    );
    const erinReply = await api(app, 'PUT', `/api/v2/requests/${ccd.id}.json`, {
      auth: erin,
      body: { request: { comment: { body: 'Erin here' } } },
    });
    assert.equal(erinReply.status, 200, erinReply.text);
    const carlaCcd = await get('/api/v2/requests/ccd.json', carla);
    assert.ok(!carlaCcd.body.requests.some((x: any) => x.id === ccd.id));
  });

  test('agents calling /requests see only what they requested or are CC’d on, not the queue', async () => {
    const theirs = await openRequest(agent, { subject: 'Laptop broken', comment: { body: 'IT please' } });
    const res = await get('/api/v2/requests.json?per_page=100', agent);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.requests.map((r: any) => r.id),
      [theirs.id],
    );
    const carlas = await get('/api/v2/requests.json?per_page=1', carla);
    const notTheirs = await get(`/api/v2/requests/${carlas.body.requests[0].id}.json`, agent);
    assert.equal(notTheirs.status, 404);
  });

  test('offset and cursor pagination', async () => {
    const all = await get('/api/v2/requests.json?per_page=100', carla);
    assert.ok(all.body.count >= 3);
    const first = await get('/api/v2/requests.json?per_page=1&status=new,open', carla);
    assert.equal(first.body.requests.length, 1);
    assert.match(first.body.next_page, /status=new%2Copen/);
    const seen: number[] = [];
    let path: string | null = '/api/v2/requests.json?page%5Bsize%5D=2';
    while (path) {
      const page = await get(path, carla);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.requests.map((r: any) => r.id));
      path = page.body.links.next
        ? new URL(page.body.links.next).pathname + new URL(page.body.links.next).search
        : null;
    }
    assert.deepEqual(
      seen,
      all.body.requests.map((r: any) => r.id),
    );
  });
});

describe('updating requests', () => {
  test('a comment from the requester reopens a pending request; the comment is theirs and public', async () => {
    const r = await openRequest(carla, { subject: 'Question', comment: { body: 'How?' } });
    await agentUpdate(r.id, { status: 'pending', comment: { body: 'Which version?' } });
    const res = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { comment: { body: 'Version 2', public: false, author_id: agentId } } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.request.status, 'open');
    const comments = await get(`/api/v2/requests/${r.id}/comments.json`, carla);
    const last = comments.body.comments.at(-1);
    assert.equal(last.body, 'Version 2');
    assert.equal(last.author_id, carlaId);
    assert.equal(last.public, true);
  });

  test('files uploaded by the requester come with their comment', async () => {
    const up = await api(app, 'POST', '/api/v2/uploads.json?filename=screenshot.txt', {
      auth: carla,
      rawBody: 'error 42 on screen',
      headers: { 'content-type': 'application/binary' },
    });
    assert.equal(up.status, 201, up.text);
    const r = await openRequest(carla, {
      subject: 'With a file',
      comment: { body: 'See attached', uploads: [up.body.upload.token] },
    });
    const comments = await get(`/api/v2/requests/${r.id}/comments.json`, carla);
    const [first] = comments.body.comments;
    assert.equal(first.attachments.length, 1);
    assert.equal(first.attachments[0].file_name, 'screenshot.txt');
    const file = await get(`/api/v2/attachments/${first.attachments[0].id}.json`, carla);
    assert.equal(file.status, 200, file.text);
  });

  test('solved: true needs an assignee and the requester; closed requests refuse updates', async () => {
    const r = await openRequest(carla, { subject: 'Solve me', comment: { body: 'pls' } });
    const early = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { solved: true } },
    });
    assert.equal(early.status, 422, early.text);
    assert.ok(early.body.details.solved);

    await agentUpdate(r.id, { assignee_id: agentId });
    const shown = await get(`/api/v2/requests/${r.id}.json`, carla);
    assert.equal(shown.body.request.can_be_solved_by_me, true);
    // A colleague who sees it through the organization cannot solve it.
    const colleague = await get(`/api/v2/requests/${r.id}.json`, dan);
    assert.equal(colleague.body.request.can_be_solved_by_me, false);

    const solved = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { solved: true, comment: { body: 'Works now, thanks' } } },
    });
    assert.equal(solved.status, 200, solved.text);
    assert.equal(solved.body.request.status, 'solved');
    assert.equal(solved.body.request.solved, true);
    assert.equal(solved.body.request.can_be_solved_by_me, false);

    await agentUpdate(r.id, { status: 'closed' });
    const closed = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { comment: { body: 'One more thing' } } },
    });
    assert.equal(closed.status, 422, closed.text);
    assert.ok(closed.body.details.status);
  });

  test('CCs can be added by email', async () => {
    const r = await openRequest(carla, { subject: 'CC later', comment: { body: 'x' } });
    const res = await api(app, 'PUT', `/api/v2/requests/${r.id}.json`, {
      auth: carla,
      body: { request: { email_ccs: [{ user_email: 'erin@requests.test' }] } },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.request.email_cc_ids, [erinId]);
    assert.equal((await get(`/api/v2/requests/${r.id}.json`, erin)).status, 200);
  });
});

describe('fields', () => {
  test('only help-center fields show, only editable ones can be set; priority is agents’ unless opened up', async () => {
    const make = async (title: string, portal: Record<string, boolean>) => {
      const res = await api(app, 'POST', '/api/v2/ticket_fields.json', {
        auth: acct.auth,
        body: { ticket_field: { type: 'text', title, ...portal } },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.ticket_field.id as number;
    };
    const editable = await make('Order number', { visible_in_portal: true, editable_in_portal: true });
    const readOnly = await make('Case reference', { visible_in_portal: true, editable_in_portal: false });
    const hidden = await make('Risk score', { visible_in_portal: false });

    const r = await openRequest(carla, {
      subject: 'With fields',
      comment: { body: 'see fields' },
      priority: 'urgent',
      custom_fields: [
        { id: editable, value: 'A-100' },
        { id: readOnly, value: 'sneaky' },
        { id: hidden, value: 'sneaky' },
      ],
    });
    assert.equal(r.priority, null);
    const fields = new Map(r.custom_fields.map((f: any) => [f.id, f.value]));
    assert.equal(fields.get(editable), 'A-100');
    assert.equal(fields.get(readOnly), null);
    assert.equal(fields.has(hidden), false);

    await agentUpdate(r.id, {
      custom_fields: [
        { id: hidden, value: 'high' },
        { id: readOnly, value: 'REF-1' },
      ],
    });
    const shown = await get(`/api/v2/requests/${r.id}.json`, carla);
    const after = new Map(shown.body.request.custom_fields.map((f: any) => [f.id, f.value]));
    assert.equal(after.get(readOnly), 'REF-1');
    assert.equal(after.has(hidden), false);
    assert.ok(!shown.text.includes('"high"'));

    const required = await make('Serial', {
      visible_in_portal: true,
      editable_in_portal: true,
      required_in_portal: true,
    });
    const missing = await api(app, 'POST', '/api/v2/requests.json', {
      auth: carla,
      body: { request: { subject: 'No serial', comment: { body: 'x' } } },
    });
    assert.equal(missing.status, 422, missing.text);
    assert.match(missing.body.details.custom_fields[0].description, /Serial/);
    await api(app, 'PUT', `/api/v2/ticket_fields/${required}.json`, {
      auth: acct.auth,
      body: { ticket_field: { active: false } },
    });
  });
});
