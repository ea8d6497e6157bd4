import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, basic, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { type CapturedMail, type SmtpCapture, startSmtpCapture } from '../../platform/mail/smtp-capture.ts';
import { type Browser, browse, hiddenToken } from './access.test-browser.ts';

/**
 * Invitations: an admin invites an agent, Haven mails a set-password link through a real SMTP server on
 * 127.0.0.1 (or hands the link back when it sends no mail), and the person sets a password on the page the
 * link opens and is signed in. Links work once, for seven days, and only the newest one.
 */
const PASSWORD = 'a brand new password';
const LINK = /https?:\/\/[^\s"<>]+\/password\/set\?token=([A-Za-z0-9_-]+)/;

let smtp: SmtpCapture;
let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let host: string;
const logLines: string[] = [];

async function createUser(role: string, email: string | null, name = `${role} ${email}`) {
  const res = await api(app, 'POST', '/api/v2/users.json', {
    auth: acct.auth,
    host,
    body: { user: { name, role, ...(email ? { email } : {}) } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.user as { id: number; email: string | null };
}

function invite(userId: number, auth = acct.auth, onHost = host) {
  return api(app, 'POST', `/api/v2/users/${userId}/invitation.json`, { auth, host: onHost });
}

function linkIn(mail: CapturedMail): { url: string; token: string } {
  const m = LINK.exec(mail.text);
  assert.ok(m, `the mail carries a set-password link: ${mail.text}`);
  assert.ok(mail.html.includes(`href="${m[0]}"`), 'the HTML part links to the same URL');
  return { url: m[0], token: m[1]! };
}

/** The path and query of a link, opened on the account's host. */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

async function invitationStatus(userId: number) {
  const res = await api(app, 'GET', `/api/v2/users/${userId}/invitation.json`, { auth: acct.auth, host });
  assert.equal(res.status, 200, res.text);
  return res.body.invitation;
}

/** Opens the set-password page and submits it; returns the page and the answer to the post. */
async function setPassword(
  b: Browser,
  token: string,
  password = PASSWORD,
  confirmation = password,
  target: TestApp = app,
) {
  const form = await browse(target, b, 'GET', `/password/set?token=${token}`);
  const posted = await browse(target, b, 'POST', '/password/set', {
    form: {
      token,
      password,
      password_confirmation: confirmation,
      authenticity_token: form.status === 200 ? hiddenToken(form.text) : '',
    },
  });
  return { form, posted };
}

before(async () => {
  smtp = await startSmtpCapture();
  const destination = { write: (chunk: string) => void logLines.push(chunk) };
  app = await startTestApp({ HAVEN_SMTP_URL: smtp.url }, { logger: createLogger('debug', destination) });
  acct = await app.createAccount('inv');
  other = await app.createAccount('invother');
  host = `${acct.subdomain}.haven.test`;
});
after(async () => {
  await app?.close();
  await smtp?.close();
});

describe('an invitation by email', () => {
  test('mails a link; the page sets the password, verifies the email and signs in; the link works once', async () => {
    const email = 'new.agent@inv.example';
    const agent = await createUser('agent', email, 'Nora New');
    const res = await invite(agent.id);
    assert.equal(res.status, 201, res.text);
    const invitation = res.body.invitation;
    assert.equal(invitation.user_id, agent.id);
    assert.equal(invitation.email, email);
    assert.equal(invitation.delivered, true);
    assert.equal(invitation.url, null, 'the link goes only to the mailbox');
    assert.equal(invitation.status, 'pending');
    const days = (Date.parse(invitation.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in 7 days (${days})`);

    const mail = await smtp.next();
    assert.deepEqual(mail.to, [email]);
    assert.match(mail.headers.from!, /^"?Account inv"? <no-reply@haven\.test>$/, 'sent as the help desk');
    assert.match(mail.headers.subject!, /Account inv/);
    assert.match(mail.text, /Hello Nora New/);
    assert.match(mail.text, /Admin inv invited you/);
    assert.match(mail.text, /as an agent/);
    const link = linkIn(mail);
    // Two accounts live on this install, so the link names the account's own host.
    assert.ok(link.url.startsWith('http://inv.haven.test:3000/password/set?token='), link.url);
    assert.ok(!res.text.includes(link.token), 'the API never shows a mailed token');

    // The job marks the invitation sent once the relay took the mail.
    let sentAt: string | null = null;
    for (let i = 0; i < 50 && !sentAt; i++) {
      sentAt = (await invitationStatus(agent.id)).sent_at;
      if (!sentAt) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(String(sentAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const b: Browser = { cookies: new Map(), host };
    const page = await browse(app, b, 'GET', pathOf(link.url));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<h1>Set your password<\/h1>/);
    assert.ok(page.text.includes('Account inv'), 'names the help desk');
    assert.ok(page.text.includes(email), 'names the email');
    assert.ok(!b.cookies.has('haven_session'), 'opening the link signs nobody in');
    const formToken = hiddenToken(page.text);
    const post = (fields: Record<string, string>) =>
      browse(app, b, 'POST', '/password/set', {
        form: { token: link.token, authenticity_token: formToken, ...fields },
      });

    const short = await post({ password: 'short', password_confirmation: 'short' });
    assert.equal(short.status, 422);
    assert.match(short.text, /id="f-password-error">must be at least 10 characters</);
    const mismatch = await post({ password: PASSWORD, password_confirmation: `${PASSWORD}!` });
    assert.equal(mismatch.status, 422);
    assert.match(mismatch.text, /id="f-password_confirmation-error">does not match the password</);
    const forged = await post({
      authenticity_token: 'x'.repeat(32),
      password: PASSWORD,
      password_confirmation: PASSWORD,
    });
    assert.equal(forged.status, 403, 'a form without its own form token is refused');
    assert.ok(!b.cookies.has('haven_session'));
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: basic(email, PASSWORD), host })).status,
      401,
      'none of those set a password',
    );

    const done = await post({ password: PASSWORD, password_confirmation: PASSWORD });
    assert.equal(done.status, 303, done.text);
    assert.equal(done.headers.get('location'), '/agent');
    assert.ok(b.cookies.has('haven_session'), 'signed in');
    const me = await browse(app, b, 'GET', '/api/v2/users/me.json');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.id, agent.id);
    assert.equal(me.body.user.verified, true, 'the email is verified by using the link');
    const identities = await api(app, 'GET', `/api/v2/users/${agent.id}/identities.json`, {
      auth: acct.auth,
      host,
    });
    assert.deepEqual(
      identities.body.identities.map((i: any) => [i.value, i.verified]),
      [[email, true]],
    );
    const viaPassword = await api(app, 'GET', '/api/v2/users/me.json', {
      auth: basic(email, PASSWORD),
      host,
    });
    assert.equal(viaPassword.status, 200, 'the new password works');
    assert.equal((await invitationStatus(agent.id)).status, 'used');

    // Single use: the page and the form both refuse the link now, and sign nobody in.
    const again = await browse(app, { cookies: new Map(), host }, 'GET', pathOf(link.url));
    assert.equal(again.status, 410);
    assert.ok(!again.text.includes(email), 'a spent link shows nothing about the person');
    const replay: Browser = { cookies: new Map(), host };
    const second = await setPassword(replay, link.token, 'another new password');
    assert.equal(second.posted.status, 410);
    assert.ok(!replay.cookies.has('haven_session'));
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: basic(email, 'another new password'), host }))
        .status,
      401,
    );

    const audit = await api(app, 'GET', `/api/v2/audit_logs.json?filter%5Bsource_id%5D=${agent.id}`, {
      auth: acct.auth,
      host,
    });
    const actions = audit.body.audit_logs.map((e: any) => e.action);
    assert.ok(actions.includes('user.invited'), actions.join(', '));
    assert.ok(actions.includes('user.password_changed'), actions.join(', '));
    const invited = audit.body.audit_logs.find((e: any) => e.action === 'user.invited');
    assert.equal(invited.actor_id, acct.adminId);

    const log = logLines.join('');
    assert.ok(log.length > 0, 'the app wrote logs');
    assert.ok(!log.includes(email), 'the log never carries the address');
    assert.ok(!log.includes(link.token), 'the log never carries the token');
    assert.ok(!log.includes('relay-secret'), 'the log never carries the SMTP password');
  });

  test('a new invitation replaces the older link', async () => {
    const agent = await createUser('admin', 'twice@inv.example');
    assert.equal((await invite(agent.id)).status, 201);
    const first = linkIn(await smtp.next());
    const resent = await invite(agent.id);
    assert.equal(resent.status, 201);
    const secondMail = await smtp.next();
    assert.match(secondMail.text, /as an admin/);
    const second = linkIn(secondMail);
    assert.notEqual(first.token, second.token);

    const old = await setPassword({ cookies: new Map(), host }, first.token);
    assert.equal(old.form.status, 410);
    assert.equal(old.posted.status, 410);
    const fresh = await setPassword({ cookies: new Map(), host }, second.token);
    assert.equal(fresh.form.status, 200);
    assert.equal(fresh.posted.status, 303);
  });

  test('an expired link is refused', async () => {
    const agent = await createUser('agent', 'late@inv.example');
    assert.equal((await invite(agent.id)).status, 201);
    const { token } = linkIn(await smtp.next());
    await app.runtime.services.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('account_id', '=', acct.id)
      .where('user_id', '=', agent.id)
      .execute();
    const b: Browser = { cookies: new Map(), host };
    const tried = await setPassword(b, token);
    assert.equal(tried.form.status, 410);
    assert.match(tried.form.text, /This link has expired/);
    assert.equal(tried.posted.status, 410);
    assert.ok(!b.cookies.has('haven_session'));
    assert.equal((await invitationStatus(agent.id)).status, 'expired');
  });

  test('a link stops working when its person is suspended or made an end-user', async () => {
    for (const change of [{ suspended: true }, { role: 'end-user' }]) {
      const agent = await createUser('agent', `changed-${Object.keys(change)[0]}@inv.example`);
      assert.equal((await invite(agent.id)).status, 201);
      const { token } = linkIn(await smtp.next());
      const updated = await api(app, 'PUT', `/api/v2/users/${agent.id}.json`, {
        auth: acct.auth,
        host,
        body: { user: change },
      });
      assert.equal(updated.status, 200, updated.text);
      const tried = await setPassword({ cookies: new Map(), host }, token);
      assert.equal(tried.form.status, 410, JSON.stringify(change));
      assert.equal(tried.posted.status, 410);
    }
  });

  test('an unknown link is 404 and names nothing; a link works only on its own account', async () => {
    for (const token of ['A'.repeat(40), 'not a token', '']) {
      const res = await browse(
        app,
        { cookies: new Map(), host },
        'GET',
        `/password/set?token=${encodeURIComponent(token)}`,
      );
      assert.equal(res.status, 404, token);
      assert.match(res.text, /This link is not valid/);
      assert.ok(!res.text.includes('Account inv'));
    }
    const agent = await createUser('agent', 'elsewhere@inv.example');
    assert.equal((await invite(agent.id)).status, 201);
    const { token } = linkIn(await smtp.next());
    const wrongHost = await setPassword({ cookies: new Map(), host: `${other.subdomain}.haven.test` }, token);
    assert.equal(wrongHost.form.status, 404);
    assert.equal(wrongHost.posted.status, 404);
    assert.equal((await setPassword({ cookies: new Map(), host }, token)).posted.status, 303);
  });
});

describe('who can be invited, and by whom', () => {
  test('admins only; agents and admins with an email who are not suspended; their own account only', async () => {
    const agent = await createUser('agent', 'colleague@inv.example');
    const asAgent = await invite(agent.id, acct.authAs('colleague@inv.example'));
    assert.equal(asAgent.status, 403);

    const customer = await createUser('end-user', 'customer@inv.example');
    const endUser = await invite(customer.id);
    assert.equal(endUser.status, 422);
    assert.ok(endUser.body.details.role, endUser.text);

    const noEmail = await createUser('agent', null, 'No Mail');
    const blank = await invite(noEmail.id);
    assert.equal(blank.status, 422);
    assert.ok(blank.body.details.email, blank.text);

    const suspended = await createUser('agent', 'suspended@inv.example');
    await api(app, 'PUT', `/api/v2/users/${suspended.id}.json`, {
      auth: acct.auth,
      host,
      body: { user: { suspended: true } },
    });
    const refused = await invite(suspended.id);
    assert.equal(refused.status, 422);
    assert.ok(refused.body.details.suspended, refused.text);

    const foreign = await invite(agent.id, other.auth, `${other.subdomain}.haven.test`);
    assert.equal(foreign.status, 404, "another account's user is not found");
    const foreignStatus = await api(app, 'GET', `/api/v2/users/${agent.id}/invitation.json`, {
      auth: other.auth,
      host: `${other.subdomain}.haven.test`,
    });
    assert.equal(foreignStatus.status, 404);

    const deleted = await createUser('agent', 'gone@inv.example');
    await api(app, 'DELETE', `/api/v2/users/${deleted.id}.json`, { auth: acct.auth, host });
    assert.equal((await invite(deleted.id)).status, 404);
    assert.equal((await invite(999_999)).status, 404);
    const none = await api(app, 'GET', `/api/v2/users/${agent.id}/invitation.json`, {
      auth: acct.auth,
      host,
    });
    assert.equal(none.status, 404, 'no invitation yet');
    assert.equal(smtp.messages.filter((m) => m.to.includes('colleague@inv.example')).length, 0);
  });
});

describe('without outgoing mail', () => {
  let plain: TestApp;
  let solo: TestAccount;
  before(async () => {
    plain = await startTestApp();
    solo = await plain.createAccount('solo');
  });
  after(async () => {
    await plain?.close();
  });

  test('the response carries the link for the admin to hand over, once', async () => {
    const created = await api(plain, 'POST', '/api/v2/users.json', {
      auth: solo.auth,
      body: { user: { name: 'Hand Over', email: 'hand.over@solo.example', role: 'agent' } },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.user.id;
    const res = await api(plain, 'POST', `/api/v2/users/${id}/invitation.json`, { auth: solo.auth });
    assert.equal(res.status, 201, res.text);
    const invitation = res.body.invitation;
    assert.equal(invitation.delivered, false);
    assert.equal(invitation.email, 'hand.over@solo.example');
    // The install holds one account, so its own URL reaches it.
    assert.ok(
      invitation.url.startsWith(`${plain.config.baseUrl}/password/set?token=`),
      `${invitation.url} starts with ${plain.config.baseUrl}`,
    );
    const status = await api(plain, 'GET', `/api/v2/users/${id}/invitation.json`, { auth: solo.auth });
    assert.equal(status.body.invitation.url, null, 'the link is shown only when it is made');
    assert.equal(status.body.invitation.sent_at, null);

    const b: Browser = { cookies: new Map() };
    const token = new URL(invitation.url).searchParams.get('token')!;
    const { form, posted } = await setPassword(b, token, PASSWORD, PASSWORD, plain);
    assert.equal(form.status, 200, form.text);
    assert.equal(posted.status, 303, posted.text);
    const me = await browse(plain, b, 'GET', '/api/v2/users/me.json');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'hand.over@solo.example');
  });
});
