import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { clock } from '../../platform/clock.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { type Browser, browse, hiddenToken } from '../access/access.test-browser.ts';
import { offerSatisfaction, satisfactionRatingUrl } from './satisfaction.commands.ts';
import { ticketSatisfactionDetails } from './satisfaction.queries.ts';

/**
 * Satisfaction ratings over HTTP on a real database: a rule offers a rating (the command rules call), the
 * requester rates on the page their email links to (no sign-in) or through the API, and the rating shows on the
 * ticket, in its audit and in /satisfaction_ratings. Only the requester rates, only solved or closed tickets
 * whose rating was offered, and a link works only on its account, for its requester, until it expires.
 */
let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let db: TenantDb;
let host: string;
let ritaId: number;
let rita: string;
let otto: string;
let ottoId: number;
let agent: string;
let agnesId: number;

async function newTicket(subject: string, extra: Record<string, unknown> = {}) {
  const res = await api(app, 'POST', '/api/v2/tickets.json', {
    auth: acct.auth,
    body: { ticket: { subject, comment: { body: `About ${subject}` }, requester_id: ritaId, ...extra } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.ticket.id as number;
}

async function update(id: number, ticket: Record<string, unknown>) {
  const res = await api(app, 'PUT', `/api/v2/tickets/${id}.json`, { auth: acct.auth, body: { ticket } });
  assert.equal(res.status, 200, res.text);
  return res.body.ticket;
}

async function getTicket(id: number) {
  const res = await api(app, 'GET', `/api/v2/tickets/${id}.json`, { auth: acct.auth });
  assert.equal(res.status, 200, res.text);
  return res.body.ticket;
}

/** What the rules' action does, in its own transaction as a ticket write would. */
const offer = (id: number) => db.transaction((tx) => offerSatisfaction(tx, id));

/** A solved ticket of Rita's whose rating was offered, and the link a rating email would carry. */
async function offeredTicket(subject: string) {
  const id = await newTicket(subject);
  await update(id, { status: 'solved' });
  await offer(id);
  const url = await satisfactionRatingUrl(db, id, `http://${host}`);
  return { id, url, path: new URL(url).pathname, token: new URL(url).pathname.split('/')[2]! };
}

function rate(id: number, auth: string, rating: Record<string, unknown>) {
  return api(app, 'POST', `/api/v2/tickets/${id}/satisfaction_rating.json`, {
    auth,
    body: { satisfaction_rating: rating },
  });
}

async function ratings(query = '') {
  const res = await api(app, 'GET', `/api/v2/satisfaction_ratings.json${query}`, { auth: acct.auth });
  assert.equal(res.status, 200, res.text);
  return res.body.satisfaction_ratings as any[];
}

/** Opens the rating page and submits the form it shows, as a browser would. */
async function submitPage(
  path: string,
  form: Record<string, string>,
  b: Browser = { cookies: new Map(), host },
) {
  const opened = await browse(app, b, 'GET', path);
  assert.equal(opened.status, 200, opened.text);
  const posted = await browse(app, b, 'POST', path, {
    form: { authenticity_token: hiddenToken(opened.text), ...form },
  });
  return { opened, posted, browser: b };
}

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  other = await app.createAccount();
  db = app.runtime.services.tenantDb(acct.id);
  host = `${acct.subdomain}.haven.test`;
  ritaId = (await acct.createUser('Rita Requester', 'rita@csat.test')).id;
  ottoId = (await acct.createUser('Otto Other', 'otto@csat.test')).id;
  agnesId = (await acct.createUser('Agnes Agent', 'agnes@csat.test', 'agent')).id;
  rita = acct.authAs('rita@csat.test');
  otto = acct.authAs('otto@csat.test');
  agent = acct.authAs('agnes@csat.test');
});

afterEach(() => clock.reset());

after(async () => {
  await app?.close();
});

describe('satisfaction reasons', () => {
  test("an account has Zendesk's default reasons, listed and shown to agents", async () => {
    const list = await api(app, 'GET', '/api/v2/satisfaction_reasons.json', { auth: agent });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.reasons.map((r: any) => r.reason_code),
      [0, 5, 6, 7, 8, 100],
    );
    const notResolved = list.body.reasons.find((r: any) => r.reason_code === 6);
    assert.equal(notResolved.value, 'The issue was not resolved');
    const shown = await api(app, 'GET', `/api/v2/satisfaction_reasons/${notResolved.id}.json`, {
      auth: agent,
    });
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(shown.body.reason, notResolved);
    assert.equal((await api(app, 'GET', '/api/v2/satisfaction_reasons.json', { auth: rita })).status, 403);
  });
});

describe('offering and rating', () => {
  test('a ticket shows {score: "unoffered"} until a rule offers a rating, then "offered"', async () => {
    const id = await newTicket('Printer jammed');
    assert.deepEqual((await getTicket(id)).satisfaction_rating, { score: 'unoffered' });
    await update(id, { status: 'solved' });
    await offer(id);
    await offer(id); // offering again changes nothing
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');
    const offered = (await ratings('?score=offered')).filter((r) => r.ticket_id === id);
    assert.equal(offered.length, 1);
    assert.equal(offered[0].score, 'offered');
    assert.equal(offered[0].requester_id, ritaId);
    assert.equal(offered[0].assignee_id, acct.adminId);
  });

  test('the requester rates bad with a reason on the page the email links to, without signing in', async () => {
    const { id, path } = await offeredTicket('VPN keeps dropping');
    const b: Browser = { cookies: new Map(), host };
    const opened = await browse(app, b, 'GET', `${path}?score=bad`);
    assert.equal(opened.status, 200, opened.text);
    assert.match(opened.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(opened.text, /VPN keeps dropping/);
    assert.match(opened.text, /value="bad" id="score-bad" checked/, '?score=bad preselects Bad');
    assert.match(opened.text, /<option value="6">The issue was not resolved<\/option>/);
    assert.match(opened.text, /<label for="f-comment">/, 'the comment box is labelled');
    assert.ok(!b.cookies.has('haven_session'), 'opening the link signs nobody in');
    // Opening the link (as a mail client's link check would) rates nothing.
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');

    const posted = await browse(app, b, 'POST', path, {
      form: {
        authenticity_token: hiddenToken(opened.text),
        score: 'bad',
        reason_code: '6',
        comment: '  It took three weeks. <b>Three.</b>  ',
      },
    });
    assert.equal(posted.status, 303, posted.text);
    assert.equal(posted.headers.get('location'), `${path}?saved=1`);
    const thanks = await browse(app, b, 'GET', `${path}?saved=1`);
    assert.equal(thanks.status, 200);
    assert.match(thanks.text, /role="status">Thank you! Your rating was saved/);
    assert.match(thanks.text, /It took three weeks. &lt;b&gt;Three.&lt;\/b&gt;/, 'the comment is escaped');

    const ticket = await getTicket(id);
    assert.equal(ticket.satisfaction_rating.score, 'bad');
    const [rating] = (await ratings('?score=bad')).filter((r) => r.ticket_id === id);
    assert.equal(rating.score, 'bad');
    assert.equal(rating.comment, 'It took three weeks. <b>Three.</b>');
    assert.equal(rating.reason_code, 6);
    assert.equal(rating.reason, 'The issue was not resolved');
    assert.equal(rating.requester_id, ritaId);
    assert.equal(rating.assignee_id, acct.adminId);
    const shown = await api(app, 'GET', `/api/v2/satisfaction_ratings/${rating.id}.json`, {
      auth: acct.auth,
    });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.satisfaction_rating, rating);

    // The ticket's history says who rated what, and agents' workspaces hear about it.
    const audits = await api(app, 'GET', `/api/v2/tickets/${id}/audits.json`, { auth: acct.auth });
    const last = audits.body.audits.at(-1);
    assert.equal(last.author_id, ritaId);
    assert.equal(last.via.channel, 'web');
    assert.deepEqual(last.events, [
      {
        id: last.id * 1000,
        type: 'SatisfactionRating',
        score: 'bad',
        comment: 'It took three weeks. <b>Three.</b>',
        assignee_id: acct.adminId,
        body: 'It took three weeks. <b>Three.</b>',
      },
    ]);
    const events = await db
      .selectFrom('events')
      .select(['type', 'actor_id', 'payload'])
      .where('subject_id', '=', id)
      .where('type', '=', 'ticket.updated')
      .orderBy('id', 'desc')
      .execute();
    assert.equal(events[0]!.actor_id, ritaId);
    assert.deepEqual(events[0]!.payload.changes, ['satisfaction_score']);
    assert.equal(events[0]!.payload.audit_id, last.id);
  });

  test('the requester rates through the API, and rating again changes the rating', async () => {
    const { id } = await offeredTicket('Invoice is wrong');
    const bad = await rate(id, rita, { score: 'bad', comment: 'Still wrong', reason_code: 7 });
    assert.equal(bad.status, 200, bad.text);
    assert.equal(bad.body.satisfaction_rating.score, 'bad');
    assert.equal(bad.body.satisfaction_rating.reason_code, 7);
    assert.equal(bad.body.satisfaction_rating.reason, "The agent's knowledge is unsatisfactory");
    assert.equal(bad.body.satisfaction_rating.comment, 'Still wrong');
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'bad');
    // What the ticket presenter shows beyond the score, once its presentation loads it.
    const details = await ticketSatisfactionDetails(db, [id]);
    assert.deepEqual(details.get(id), {
      id: bad.body.satisfaction_rating.id,
      comment: 'Still wrong',
      reason: "The agent's knowledge is unsatisfactory",
      reason_id: bad.body.satisfaction_rating.reason_id,
    });

    const good = await rate(id, rita, { score: 'good', comment: 'Fixed after all', reason_code: 7 });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.body.satisfaction_rating.id, bad.body.satisfaction_rating.id, 'one rating per ticket');
    assert.equal(good.body.satisfaction_rating.score, 'good');
    assert.equal(good.body.satisfaction_rating.reason_code, null, 'good ratings carry no reason');
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'good');
    const mine = (await ratings()).filter((r) => r.ticket_id === id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].comment, 'Fixed after all');

    const noReason = await rate(id, rita, { score: 'bad' });
    assert.equal(noReason.body.satisfaction_rating.reason_code, 0);
    assert.equal(noReason.body.satisfaction_rating.reason, 'No reason provided');
  });

  test('agents cannot rate, not even requests of their own', async () => {
    const { id } = await offeredTicket('Agents rating');
    for (const auth of [agent, acct.auth]) {
      const res = await rate(id, auth, { score: 'good' });
      assert.equal(res.status, 403, res.text);
    }
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');
    const own = await newTicket('Agnes asks for help', { requester_id: agnesId });
    await update(own, { status: 'solved' });
    await offer(own);
    const res = await rate(own, agent, { score: 'good' });
    assert.equal(res.status, 403, res.text);
    assert.equal((await getTicket(own)).satisfaction_rating.score, 'offered');
  });

  test('another end-user cannot rate: 404 when they cannot see the ticket, 403 when they are CC’d', async () => {
    const { id } = await offeredTicket('Someone else rating');
    assert.equal((await rate(id, otto, { score: 'bad' })).status, 404);
    await update(id, { collaborator_ids: [ottoId] });
    const ccd = await rate(id, otto, { score: 'bad' });
    assert.equal(ccd.status, 403, ccd.text);
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');
  });

  test('unsolved tickets and tickets without an offer cannot be rated (422)', async () => {
    const open = await newTicket('Still open');
    await offer(open);
    const unsolved = await rate(open, rita, { score: 'good' });
    assert.equal(unsolved.status, 422, unsolved.text);
    assert.equal(unsolved.body.details.status[0].error, 'TicketNotSolved');

    const solved = await newTicket('Solved, never offered');
    await update(solved, { status: 'solved' });
    const notOffered = await rate(solved, rita, { score: 'good' });
    assert.equal(notOffered.status, 422, notOffered.text);
    assert.equal(notOffered.body.details.satisfaction_rating[0].error, 'RatingNotOffered');
    assert.equal((await getTicket(solved)).satisfaction_rating.score, 'unoffered');
  });

  test('a score other than good or bad, or an unknown reason, is a 422 naming the field', async () => {
    const { id } = await offeredTicket('Bad input');
    const score = await rate(id, rita, { score: 'offered' });
    assert.equal(score.status, 422, score.text);
    assert.ok(score.body.details.score, score.text);
    const reason = await rate(id, rita, { score: 'bad', reason_code: 4242 });
    assert.equal(reason.status, 422, reason.text);
    assert.ok(reason.body.details.reason_code, reason.text);
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');
  });
});

describe('the rating page', () => {
  test('an unknown, expired or foreign link is a friendly 404 page that names no ticket', async () => {
    const { path } = await offeredTicket('Secret subject zq9');
    const unknown = await browse(app, { cookies: new Map(), host }, 'GET', `/satisfaction/${'x'.repeat(40)}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /text\/html/);
    assert.match(unknown.text, /This rating link is not valid/);

    const foreign = await browse(
      app,
      { cookies: new Map(), host: `${other.subdomain}.haven.test` },
      'GET',
      path,
    );
    assert.equal(foreign.status, 404);
    assert.ok(!foreign.text.includes('zq9'));

    clock.advance(29 * 86_400_000);
    const expired = await browse(app, { cookies: new Map(), host }, 'GET', path);
    assert.equal(expired.status, 404);
    assert.ok(!expired.text.includes('zq9'));
    clock.reset();
    assert.equal((await browse(app, { cookies: new Map(), host }, 'GET', path)).status, 200);
  });

  test('a link is for the requester it was mailed to: a new requester makes it stale', async () => {
    const { id, path } = await offeredTicket('Requester changes');
    await update(id, { requester_id: ottoId });
    assert.equal((await browse(app, { cookies: new Map(), host }, 'GET', path)).status, 404);
  });

  test('the form needs its authenticity token and a score, and keeps what was typed', async () => {
    const { id, path } = await offeredTicket('Form checks');
    const b: Browser = { cookies: new Map(), host };
    await browse(app, b, 'GET', path);
    const forged = await browse(app, b, 'POST', path, {
      form: { authenticity_token: 'forged', score: 'good' },
    });
    assert.equal(forged.status, 403);
    assert.match(forged.text, /Your form expired/);
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');

    const { posted } = await submitPage(path, { comment: 'I forgot to choose' });
    assert.equal(posted.status, 422);
    assert.match(posted.text, /Choose Good or Bad/);
    assert.match(posted.text, /I forgot to choose<\/textarea>/);
    assert.match(posted.text, /aria-invalid="true" aria-describedby="score-error"/);
  });

  test('a reopened ticket cannot be rated from its link until it is solved again', async () => {
    const { id, path } = await offeredTicket('Reopened');
    const b: Browser = { cookies: new Map(), host };
    const opened = await browse(app, b, 'GET', path);
    await update(id, { status: 'open' });
    const posted = await browse(app, b, 'POST', path, {
      form: { authenticity_token: hiddenToken(opened.text), score: 'good' },
    });
    assert.equal(posted.status, 409);
    assert.match(posted.text, /open again/);
    const page = await browse(app, b, 'GET', path);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<form'), 'no form while the ticket is open');
    assert.equal((await getTicket(id)).satisfaction_rating.score, 'offered');
  });

  test('links handed out in one transaction are one link; each other call issues a new one', async () => {
    const { id } = await offeredTicket('Links');
    const [first, second] = await db.transaction(async (tx) => [
      await satisfactionRatingUrl(tx, id, `http://${host}/`),
      await satisfactionRatingUrl(tx, id, `http://${host}`),
    ]);
    assert.equal(first, second);
    assert.match(first!, new RegExp(`^http://${host.replace(/\./g, '\\.')}/satisfaction/[A-Za-z0-9_-]{40}$`));
    const third = await satisfactionRatingUrl(db, id, `http://${host}`);
    assert.notEqual(third, first);
    // Only digests are stored.
    const stored = await db
      .selectFrom('satisfaction_tokens')
      .select('token_digest')
      .where('ticket_id', '=', id)
      .execute();
    const token = new URL(first!).pathname.split('/')[2]!;
    assert.ok(stored.length >= 2);
    assert.ok(stored.every((s) => s.token_digest !== token && /^[0-9a-f]{64}$/.test(s.token_digest)));
  });
});

describe('listing ratings', () => {
  test('filters by score and time, pages by cursor, and leaves out deleted tickets', async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const good = await offeredTicket('List good');
    const bad = await offeredTicket('List bad');
    const silent = await offeredTicket('List bad silent');
    assert.equal((await rate(good.id, rita, { score: 'good', comment: 'Great' })).status, 200);
    assert.equal((await rate(bad.id, rita, { score: 'bad', comment: 'Poor' })).status, 200);
    assert.equal((await rate(silent.id, rita, { score: 'bad' })).status, 200);
    const ids = (list: any[]) =>
      list.map((r) => r.ticket_id).filter((t) => [good.id, bad.id, silent.id].includes(t));

    assert.deepEqual(ids(await ratings('?score=received')), [good.id, bad.id, silent.id]);
    assert.deepEqual(ids(await ratings('?score=good')), [good.id]);
    assert.deepEqual(ids(await ratings('?score=bad')), [bad.id, silent.id]);
    assert.deepEqual(ids(await ratings('?score=bad_with_comment')), [bad.id]);
    assert.deepEqual(ids(await ratings('?score=bad_without_comment')), [silent.id]);
    assert.deepEqual(ids(await ratings('?score=received_with_comment')), [good.id, bad.id]);
    assert.deepEqual(ids(await ratings('?score=unoffered')), []);
    assert.deepEqual(ids(await ratings(`?score=received&start_time=${before}`)), [
      good.id,
      bad.id,
      silent.id,
    ]);
    assert.deepEqual(ids(await ratings(`?start_time=${before + 3600}`)), []);
    assert.deepEqual(ids(await ratings(`?end_time=${before}`)), []);
    const received = await api(app, 'GET', '/api/v2/satisfaction_ratings/received.json', { auth: acct.auth });
    assert.deepEqual(ids(received.body.satisfaction_ratings), [good.id, bad.id, silent.id]);

    const first = await api(app, 'GET', '/api/v2/satisfaction_ratings.json?score=received&page[size]=1', {
      auth: acct.auth,
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.satisfaction_ratings.length, 1);
    assert.equal(first.body.meta.has_more, true);
    const next = new URL(first.body.links.next);
    assert.equal(next.searchParams.get('score'), 'received', 'the next link keeps the filter');
    const second = await api(app, 'GET', `${next.pathname}${next.search}`, { auth: acct.auth });
    assert.ok(second.body.satisfaction_ratings[0].id > first.body.satisfaction_ratings[0].id);

    const badRating = (await ratings('?score=bad_with_comment')).find((r) => r.ticket_id === bad.id);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/tickets/${bad.id}.json`, { auth: acct.auth })).status,
      204,
    );
    assert.deepEqual(ids(await ratings('?score=bad')), [silent.id]);
    const gone = await api(app, 'GET', `/api/v2/satisfaction_ratings/${badRating.id}.json`, {
      auth: acct.auth,
    });
    assert.equal(gone.status, 404);
    assert.equal((await rate(bad.id, rita, { score: 'good' })).status, 404);

    const count = await api(app, 'GET', '/api/v2/satisfaction_ratings/count.json', { auth: acct.auth });
    assert.equal(count.status, 200);
    assert.equal(count.body.count.value, (await ratings('?per_page=100')).length);
  });

  test('end-users cannot list ratings, and another account sees none of these', async () => {
    assert.equal((await api(app, 'GET', '/api/v2/satisfaction_ratings.json', { auth: rita })).status, 403);
    const mine = await ratings();
    assert.ok(mine.length > 0);
    const theirs = await api(app, 'GET', '/api/v2/satisfaction_ratings.json', { auth: other.auth });
    assert.equal(theirs.status, 200);
    assert.deepEqual(theirs.body.satisfaction_ratings, []);
    const shown = await api(app, 'GET', `/api/v2/satisfaction_ratings/${mine[0].id}.json`, {
      auth: other.auth,
    });
    assert.equal(shown.status, 404);
  });
});
