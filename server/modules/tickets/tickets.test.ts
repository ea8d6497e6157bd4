import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let agentId: number;
let agent2Id: number;
let customerId: number;
let agentAuth: string;
let customerAuth: string;
let groupA: number;
let groupB: number;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function createTicket(ticket: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'POST', '/api/v2/tickets.json', { auth, body: { ticket } });
}
async function updateTicket(id: number, ticket: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'PUT', `/api/v2/tickets/${id}.json`, { auth, body: { ticket } });
}
async function newTicket(ticket: Record<string, unknown> = {}) {
  const res = await createTicket({ subject: 'Printer on fire', comment: { body: 'It smokes.' }, ...ticket });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket as Record<string, any>;
}
async function waitForJob(id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await api(app, 'GET', `/api/v2/job_statuses/${id}.json`, { auth: acct.auth });
    assert.equal(res.status, 200, res.text);
    if (['completed', 'failed', 'killed'].includes(res.body.job_status.status)) return res.body.job_status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  agentId = (await acct.createUser('Agnes Agent', 'agnes@tickets.test', 'agent')).id;
  agent2Id = (await acct.createUser('Bert Agent', 'bert@tickets.test', 'agent')).id;
  customerId = (await acct.createUser('Carla Customer', 'carla@tickets.test', 'end-user')).id;
  agentAuth = acct.authAs('agnes@tickets.test');
  customerAuth = acct.authAs('carla@tickets.test');
  const g1 = await api(app, 'POST', '/api/v2/groups.json', {
    auth: acct.auth,
    body: { group: { name: 'Support' } },
  });
  const g2 = await api(app, 'POST', '/api/v2/groups.json', {
    auth: acct.auth,
    body: { group: { name: 'Billing' } },
  });
  groupA = g1.body.group.id;
  groupB = g2.body.group.id;
  for (const [user_id, group_id] of [
    [agentId, groupA],
    [agent2Id, groupB],
  ]) {
    const res = await api(app, 'POST', '/api/v2/group_memberships.json', {
      auth: acct.auth,
      body: { group_membership: { user_id, group_id } },
    });
    assert.equal(res.status, 201, res.text);
  }
});

after(async () => {
  await app?.close();
});

describe('creating tickets', () => {
  test('a ticket in Zendesk shape, its comment as the description, an audit and a Location', async () => {
    const res = await createTicket({
      subject: 'Cannot log in',
      comment: { body: 'Hello,\n\nmy password is refused.' },
      requester_id: customerId,
      priority: 'high',
      type: 'question',
      tags: ['Login', 'urgent'],
      external_id: 'crm-1',
    });
    assert.equal(res.status, 201, res.text);
    const t = res.body.ticket;
    assert.equal(res.headers.get('location'), t.url);
    assert.match(t.url, /\/api\/v2\/tickets\/\d+\.json$/);
    assert.equal(t.subject, 'Cannot log in');
    assert.equal(t.description, 'Hello,\n\nmy password is refused.');
    assert.equal(t.status, 'new');
    assert.equal(t.priority, 'high');
    assert.equal(t.requester_id, customerId);
    assert.equal(t.submitter_id, acct.adminId);
    assert.deepEqual(t.tags, ['login', 'urgent']);
    assert.equal(t.via.channel, 'api');
    assert.match(t.created_at, ISO);
    assert.ok(Array.isArray(t.custom_fields));
    assert.equal(res.body.audit.ticket_id, t.id);
    const types = res.body.audit.events.map((e: any) => e.type);
    assert.ok(types.includes('Comment') && types.includes('Create'));

    const comments = await api(app, 'GET', `/api/v2/tickets/${t.id}/comments.json`, { auth: acct.auth });
    assert.equal(comments.status, 200);
    assert.equal(comments.body.comments.length, 1);
    assert.equal(comments.body.comments[0].public, true);
    assert.match(comments.body.comments[0].html_body, /<p dir="auto">my password is refused.<\/p>/);
    assert.equal(comments.body.count, 1);
  });

  test('a requester given by name and email becomes an end-user, or is matched by email', async () => {
    const first = await newTicket({ requester: { name: 'Dora New', email: 'dora@new.test' } });
    const second = await newTicket({ requester: { name: 'Ignored name', email: 'DORA@new.test' } });
    assert.equal(first.requester_id, second.requester_id);
    const user = await api(app, 'GET', `/api/v2/users/${first.requester_id}.json`, { auth: acct.auth });
    assert.equal(user.body.user.role, 'end-user');
    assert.equal(user.body.user.name, 'Dora New');
  });

  test('assigning on create opens the ticket and puts it in the assignee’s group', async () => {
    const t = await newTicket({ assignee_id: agentId });
    assert.equal(t.status, 'open');
    assert.equal(t.group_id, groupA);
  });

  test('validation: blank description, unknown requester, non-agent assignee, assignee outside the group', async () => {
    const blank = await createTicket({ subject: 'x' });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.error, 'RecordInvalid');
    assert.ok(blank.body.details.description);

    const ghost = await createTicket({ comment: { body: 'x' }, requester_id: 999_999 });
    assert.equal(ghost.status, 422);
    assert.ok(ghost.body.details.requester);

    const notAgent = await createTicket({ comment: { body: 'x' }, assignee_id: customerId });
    assert.equal(notAgent.status, 422);
    assert.ok(notAgent.body.details.assignee);

    const outside = await createTicket({ comment: { body: 'x' }, assignee_id: agentId, group_id: groupB });
    assert.equal(outside.status, 422);
    assert.match(outside.body.details.assignee[0].description, /not a member/);

    const badStatus = await createTicket({ comment: { body: 'x' }, status: 'done' });
    assert.equal(badStatus.status, 422);
    assert.ok(badStatus.body.details.status);

    const dueNotTask = await createTicket({
      comment: { body: 'x' },
      type: 'question',
      due_at: '2030-01-01T00:00:00Z',
    });
    assert.equal(dueNotTask.status, 422);
    assert.ok(dueNotTask.body.details.due_at);

    const malformed = await api(app, 'POST', '/api/v2/tickets.json', {
      auth: acct.auth,
      rawBody: '{"ticket": {',
    });
    assert.equal(malformed.status, 400);
  });

  test('html_body is sanitized and the plain body is derived from it', async () => {
    const t = await newTicket({
      comment: {
        html_body:
          '<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p><a href="javascript:evil()">l</a>',
      },
    });
    const comments = await api(app, 'GET', `/api/v2/tickets/${t.id}/comments.json`, { auth: acct.auth });
    const c = comments.body.comments[0];
    assert.doesNotMatch(c.html_body, /script|onclick|javascript/);
    assert.match(c.html_body, /<b>there<\/b>/);
    assert.equal(c.body, 'Hi there\nl');
  });

  test('incidents link to problems; tasks carry due dates', async () => {
    const problem = await newTicket({ type: 'problem' });
    const incident = await newTicket({ type: 'incident', problem_id: problem.id });
    assert.equal(incident.problem_id, problem.id);
    const shown = await api(app, 'GET', `/api/v2/tickets/${problem.id}.json`, { auth: acct.auth });
    assert.equal(shown.body.ticket.has_incidents, true);
    const incidents = await api(app, 'GET', `/api/v2/tickets/${problem.id}/incidents.json`, {
      auth: acct.auth,
    });
    assert.deepEqual(
      incidents.body.tickets.map((t: any) => t.id),
      [incident.id],
    );
    const notProblem = await createTicket({
      comment: { body: 'x' },
      type: 'incident',
      problem_id: incident.id,
    });
    assert.equal(notProblem.status, 422);

    const task = await newTicket({ type: 'task', due_at: '2030-05-01T10:00:00Z' });
    assert.equal(task.due_at, '2030-05-01T10:00:00Z');

    // Solving the problem solves its incidents.
    const solved = await updateTicket(problem.id, { status: 'solved', assignee_id: agentId });
    assert.equal(solved.status, 200, solved.text);
    const after = await api(app, 'GET', `/api/v2/tickets/${incident.id}.json`, { auth: acct.auth });
    assert.equal(after.body.ticket.status, 'solved');
  });
});

describe('updating tickets', () => {
  test('an agent reply opens a new ticket; an end-user reply reopens a pending one', async () => {
    const t = await newTicket({ requester_id: customerId });
    const reply = await updateTicket(t.id, { comment: { body: 'On it.' } }, agentAuth);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.ticket.status, 'open');

    const pending = await updateTicket(t.id, { status: 'pending' }, agentAuth);
    assert.equal(pending.body.ticket.status, 'pending');
    const change = pending.body.audit.events.find((e: any) => e.field_name === 'status');
    assert.deepEqual([change.previous_value, change.value], ['open', 'pending']);

    // The requester answers by email or the help center; here as the system writing for them.
    const answer = await updateTicket(
      t.id,
      { comment: { body: 'Still broken', author_id: customerId } },
      agentAuth,
    );
    assert.equal(answer.body.ticket.status, 'open');
  });

  test('status cannot go back to new; closed tickets are read-only', async () => {
    const t = await newTicket({ assignee_id: agentId });
    const back = await updateTicket(t.id, { status: 'new' });
    assert.equal(back.status, 422);
    const closed = await updateTicket(t.id, { status: 'closed' });
    assert.equal(closed.status, 200, closed.text);
    const again = await updateTicket(t.id, { comment: { body: 'hello?' } });
    assert.equal(again.status, 422);
    assert.match(again.body.details.status[0].description, /closed/);
  });

  test('solving an unassigned ticket assigns the solving agent', async () => {
    const t = await newTicket();
    const res = await updateTicket(t.id, { status: 'solved' }, agentAuth);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ticket.assignee_id, agentId);
    assert.equal(res.body.ticket.group_id, groupA);
  });

  test('reassigning moves the group; regrouping drops an assignee outside it', async () => {
    const t = await newTicket({ assignee_id: agentId });
    const moved = await updateTicket(t.id, { assignee_id: agent2Id });
    assert.equal(moved.body.ticket.group_id, groupB);
    const regrouped = await updateTicket(t.id, { group_id: groupA });
    assert.equal(regrouped.body.ticket.group_id, groupA);
    assert.equal(regrouped.body.ticket.assignee_id, null);
  });

  test('tags, additional_tags and remove_tags', async () => {
    const t = await newTicket({ tags: ['a', 'b'] });
    const added = await updateTicket(t.id, { additional_tags: ['c'], remove_tags: ['a'] });
    assert.deepEqual(added.body.ticket.tags, ['b', 'c']);
    const put = await api(app, 'PUT', `/api/v2/tickets/${t.id}/tags.json`, {
      auth: acct.auth,
      body: { tags: ['d'] },
    });
    assert.deepEqual(put.body.tags, ['b', 'c', 'd']);
    const set = await api(app, 'POST', `/api/v2/tickets/${t.id}/tags.json`, {
      auth: acct.auth,
      body: { tags: ['x'] },
    });
    assert.deepEqual(set.body.tags, ['x']);
    const del = await api(app, 'DELETE', `/api/v2/tickets/${t.id}/tags.json`, {
      auth: acct.auth,
      body: { tags: ['x'] },
    });
    assert.deepEqual(del.body.tags, []);
    const all = await api(app, 'GET', '/api/v2/tags.json', { auth: acct.auth });
    assert.ok(all.body.tags.some((tag: any) => tag.name === 'login' && tag.count >= 1));
  });

  test('safe_update with a stale updated_stamp is a 409 and changes nothing', async () => {
    const t = await newTicket();
    const stamp = t.updated_at;
    await new Promise((r) => setTimeout(r, 1100));
    const first = await updateTicket(t.id, { priority: 'low', safe_update: true, updated_stamp: stamp });
    assert.equal(first.status, 200, first.text);
    const stale = await updateTicket(t.id, { priority: 'urgent', safe_update: true, updated_stamp: stamp });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error, 'UpdateConflict');
    const shown = await api(app, 'GET', `/api/v2/tickets/${t.id}.json`, { auth: acct.auth });
    assert.equal(shown.body.ticket.priority, 'low');
  });

  test('collaborators, email CCs and followers', async () => {
    const t = await newTicket({
      collaborators: ['cc1@tickets.test', { name: 'Cee Two', email: 'cc2@tickets.test' }],
    });
    assert.equal(t.collaborator_ids.length, 2);
    const res = await updateTicket(t.id, {
      email_ccs: [{ user_email: 'cc3@tickets.test', action: 'put' }],
      followers: [{ user_id: agent2Id, action: 'put' }],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ticket.email_cc_ids.length, 1);
    assert.deepEqual(res.body.ticket.follower_ids, [agent2Id]);
    const ccd = await api(app, 'GET', `/api/v2/users/${res.body.ticket.email_cc_ids[0]}/tickets/ccd.json`, {
      auth: acct.auth,
    });
    assert.deepEqual(
      ccd.body.tickets.map((x: any) => x.id),
      [t.id],
    );
    const badFollower = await updateTicket(t.id, { followers: [{ user_id: customerId, action: 'put' }] });
    assert.equal(badFollower.status, 422);
  });
});

describe('comments, audits and privacy', () => {
  test('internal notes are private; make_private hides a reply; redaction removes text everywhere', async () => {
    const t = await newTicket({ requester_id: customerId });
    await updateTicket(
      t.id,
      { comment: { body: 'Internal: card 4111 1111 1111 1111', public: false } },
      agentAuth,
    );
    const list = await api(app, 'GET', `/api/v2/tickets/${t.id}/comments.json`, { auth: acct.auth });
    assert.equal(list.body.comments.length, 2);
    const note = list.body.comments[1];
    assert.equal(note.public, false);
    assert.equal(note.author_id, agentId);

    const first = list.body.comments[0];
    const priv = await api(app, 'PUT', `/api/v2/tickets/${t.id}/comments/${first.id}/make_private.json`, {
      auth: agentAuth,
    });
    assert.equal(priv.status, 200);
    const after = await api(app, 'GET', `/api/v2/tickets/${t.id}/comments.json`, { auth: acct.auth });
    assert.equal(after.body.comments[0].public, false);

    const redact = await api(app, 'PUT', `/api/v2/tickets/${t.id}/comments/${note.id}/redact.json`, {
      auth: agentAuth,
      body: { text: '4111 1111 1111 1111' },
    });
    assert.equal(redact.status, 200, redact.text);
    assert.doesNotMatch(redact.body.comment.body, /4111/);
    const audits = await api(app, 'GET', `/api/v2/tickets/${t.id}/audits.json`, { auth: acct.auth });
    assert.doesNotMatch(JSON.stringify(audits.body), /4111 1111/);
    const missing = await api(app, 'PUT', `/api/v2/tickets/${t.id}/comments/${note.id}/redact.json`, {
      auth: agentAuth,
      body: { text: 'not there' },
    });
    assert.equal(missing.status, 422);
  });

  test('audits record who changed what, through what, before and after', async () => {
    const t = await newTicket();
    await updateTicket(t.id, { priority: 'urgent', assignee_id: agentId }, agentAuth);
    const res = await api(app, 'GET', `/api/v2/tickets/${t.id}/audits.json`, { auth: acct.auth });
    assert.equal(res.status, 200);
    assert.equal(res.body.audits.length, 2);
    const update = res.body.audits[1];
    assert.equal(update.author_id, agentId);
    assert.equal(update.via.channel, 'api');
    const priority = update.events.find((e: any) => e.field_name === 'priority');
    assert.deepEqual([priority.previous_value, priority.value], [null, 'urgent']);
    const one = await api(app, 'GET', `/api/v2/tickets/${t.id}/audits/${update.id}.json`, {
      auth: acct.auth,
    });
    assert.equal(one.body.audit.id, update.id);
    const cursor = await api(app, 'GET', `/api/v2/tickets/${t.id}/audits.json?page[size]=1`, {
      auth: acct.auth,
    });
    assert.equal(cursor.body.audits.length, 1);
    assert.equal(cursor.body.meta.has_more, true);
  });
});

describe('lists, deletion and merge', () => {
  test('list in both pagination styles to the end; show_many; count; per-user and per-organization lists', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newTicket({ requester_id: customerId })).id);
    const seen: number[] = [];
    let url: string | null = '/api/v2/tickets.json?page[size]=3';
    while (url) {
      const res: any = await api(app, 'GET', url.replace(app.baseUrl, ''), { auth: acct.auth });
      assert.equal(res.status, 200);
      seen.push(...res.body.tickets.map((t: any) => t.id));
      url = res.body.links.next;
    }
    for (const id of ids) assert.ok(seen.includes(id));
    assert.equal(new Set(seen).size, seen.length);

    const offset = await api(app, 'GET', '/api/v2/tickets.json?per_page=2', { auth: acct.auth });
    assert.equal(offset.body.tickets.length, 2);
    assert.ok(offset.body.count >= 5);
    assert.match(offset.body.next_page, /page=2/);

    const many = await api(app, 'GET', `/api/v2/tickets/show_many.json?ids=${ids.slice(0, 2).join(',')}`, {
      auth: acct.auth,
    });
    assert.deepEqual(
      many.body.tickets.map((t: any) => t.id),
      ids.slice(0, 2),
    );
    const requested = await api(
      app,
      'GET',
      `/api/v2/users/${customerId}/tickets/requested.json?include=users`,
      {
        auth: acct.auth,
      },
    );
    for (const id of ids) assert.ok(requested.body.tickets.some((t: any) => t.id === id));
    assert.ok(requested.body.users.some((u: any) => u.id === customerId));
    const count = await api(app, 'GET', '/api/v2/tickets/count.json', { auth: acct.auth });
    assert.ok(count.body.count.value >= 5);
  });

  test('delete moves a ticket to deleted_tickets; restore brings it back; destroy removes it for good', async () => {
    const t = await newTicket();
    assert.equal((await api(app, 'DELETE', `/api/v2/tickets/${t.id}.json`, { auth: agentAuth })).status, 204);
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${t.id}.json`, { auth: acct.auth })).status, 404);
    const deleted = await api(app, 'GET', '/api/v2/deleted_tickets.json', { auth: acct.auth });
    assert.ok(deleted.body.deleted_tickets.some((d: any) => d.id === t.id && d.actor.id === agentId));
    const restore = await api(app, 'PUT', `/api/v2/deleted_tickets/${t.id}/restore.json`, {
      auth: acct.auth,
    });
    assert.equal(restore.status, 200);
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${t.id}.json`, { auth: acct.auth })).status, 200);
    await api(app, 'DELETE', `/api/v2/tickets/${t.id}.json`, { auth: acct.auth });
    const agentDestroy = await api(app, 'DELETE', `/api/v2/deleted_tickets/${t.id}.json`, {
      auth: agentAuth,
    });
    assert.equal(agentDestroy.status, 403);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/deleted_tickets/${t.id}.json`, { auth: acct.auth })).status,
      204,
    );
    assert.equal(
      (await api(app, 'PUT', `/api/v2/deleted_tickets/${t.id}/restore.json`, { auth: acct.auth })).status,
      404,
    );
  });

  test('merge closes the sources with a comment and notes them on the target', async () => {
    const target = await newTicket({ requester_id: customerId });
    const source = await newTicket({ subject: 'Duplicate' });
    const res = await api(app, 'POST', `/api/v2/tickets/${target.id}/merge.json`, {
      auth: agentAuth,
      body: {
        ids: [source.id],
        target_comment: 'Merged the duplicate',
        source_comment: 'See the other ticket',
      },
    });
    assert.equal(res.status, 200, res.text);
    const job = await waitForJob(res.body.job_status.id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    const s = await api(app, 'GET', `/api/v2/tickets/${source.id}.json`, { auth: acct.auth });
    assert.equal(s.body.ticket.status, 'closed');
    assert.ok(s.body.ticket.tags.includes('closed_by_merge'));
    const sc = await api(app, 'GET', `/api/v2/tickets/${source.id}/comments.json`, { auth: acct.auth });
    assert.equal(sc.body.comments.at(-1).body, 'See the other ticket');
    assert.equal(sc.body.comments[0].body, 'It smokes.');
    const tc = await api(app, 'GET', `/api/v2/tickets/${target.id}/comments.json`, { auth: acct.auth });
    assert.equal(tc.body.comments.at(-1).body, 'Merged the duplicate');
  });
});

describe('bulk jobs', () => {
  test('create_many, update_many and destroy_many run to completion with per-item results', async () => {
    const create = await api(app, 'POST', '/api/v2/tickets/create_many.json', {
      auth: acct.auth,
      body: {
        tickets: [
          { subject: 'Bulk 1', comment: { body: 'one' } },
          { subject: 'Bulk 2', comment: { body: 'two' }, priority: 'low' },
          { subject: 'Broken', assignee_id: customerId, comment: { body: 'x' } },
        ],
      },
    });
    assert.equal(create.status, 200, create.text);
    assert.equal(create.body.job_status.status, 'queued');
    assert.equal(create.body.job_status.total, 3);
    const created = await waitForJob(create.body.job_status.id);
    assert.equal(created.status, 'completed');
    assert.equal(created.results.length, 3);
    assert.equal(created.results[0].status, 'Created');
    assert.equal(created.results[2].success, false);
    assert.equal(created.results[2].error, 'RecordInvalid');
    const ids = created.results.filter((r: any) => r.success).map((r: any) => r.id);

    const update = await api(app, 'PUT', `/api/v2/tickets/update_many.json?ids=${ids.join(',')}`, {
      auth: acct.auth,
      body: { ticket: { status: 'pending', additional_tags: ['bulk'] } },
    });
    const updated = await waitForJob(update.body.job_status.id);
    assert.deepEqual(
      updated.results.map((r: any) => r.status),
      ['Updated', 'Updated'],
    );
    const shown = await api(app, 'GET', `/api/v2/tickets/show_many.json?ids=${ids.join(',')}`, {
      auth: acct.auth,
    });
    assert.ok(shown.body.tickets.every((t: any) => t.status === 'pending' && t.tags.includes('bulk')));

    const perTicket = await api(app, 'PUT', '/api/v2/tickets/update_many.json', {
      auth: acct.auth,
      body: { tickets: [{ id: ids[0], priority: 'urgent' }] },
    });
    assert.equal((await waitForJob(perTicket.body.job_status.id)).results[0].success, true);

    const destroy = await api(app, 'DELETE', `/api/v2/tickets/destroy_many.json?ids=${ids.join(',')}`, {
      auth: acct.auth,
    });
    const destroyed = await waitForJob(destroy.body.job_status.id);
    assert.deepEqual(
      destroyed.results.map((r: any) => r.status),
      ['Deleted', 'Deleted'],
    );
    const tooMany = await api(app, 'POST', '/api/v2/tickets/create_many.json', {
      auth: acct.auth,
      body: { tickets: Array.from({ length: 101 }, () => ({ comment: { body: 'x' } })) },
    });
    assert.equal(tooMany.status, 422);
  });
});

describe('who may see what', () => {
  test('end-users cannot use /tickets; another account’s tickets are 404', async () => {
    const t = await newTicket({ requester_id: customerId });
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${t.id}.json`, { auth: customerAuth })).status, 403);
    assert.equal((await createTicket({ comment: { body: 'x' } }, customerAuth)).status, 403);
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${t.id}.json`, { auth: other.auth })).status, 404);
    assert.equal((await updateTicket(t.id, { priority: 'low' }, other.auth)).status, 404);
    const otherList = await api(app, 'GET', '/api/v2/tickets.json', { auth: other.auth });
    assert.equal(otherList.body.tickets.length, 0);
  });

  test('a group-restricted agent sees only their groups’ tickets', async () => {
    const restricted = await acct.createUser('Rita Restricted', 'rita@tickets.test', 'agent');
    await api(app, 'PUT', `/api/v2/users/${restricted.id}.json`, {
      auth: acct.auth,
      body: { user: { ticket_restriction: 'groups' } },
    });
    await api(app, 'POST', '/api/v2/group_memberships.json', {
      auth: acct.auth,
      body: { group_membership: { user_id: restricted.id, group_id: groupB } },
    });
    const inA = await newTicket({ group_id: groupA });
    const inB = await newTicket({ group_id: groupB });
    const rita = acct.authAs('rita@tickets.test');
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${inA.id}.json`, { auth: rita })).status, 404);
    assert.equal((await api(app, 'GET', `/api/v2/tickets/${inB.id}.json`, { auth: rita })).status, 200);
    const list = await api(app, 'GET', '/api/v2/tickets.json', { auth: rita });
    assert.ok(list.body.tickets.every((t: any) => t.group_id === groupB || t.assignee_id === restricted.id));
  });
});
