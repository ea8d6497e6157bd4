import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ApiResponse,
  api,
  basic,
  startTestApp,
  type TestAccount,
  type TestApp,
} from '../../../test/harness.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { createUser as createUserCommand } from '../users/users.commands.ts';
import { type Browser, browse, hiddenToken, type PageResponse } from './access.test-browser.ts';

/**
 * Access: sessions through the HTML form (cookie, CSRF, sign-out), sign-in lockout, the API rate limit,
 * API and OAuth tokens, unusable users, the audit log and the first-run page — all over real HTTP.
 */
const MAX_FAILURES = 3;
const PASSWORD = 'a long enough password';

async function signIn(app: TestApp, b: Browser, email: string, password: string): Promise<PageResponse> {
  const form = await browse(app, b, 'GET', '/sign_in');
  assert.equal(form.status, 200, form.text);
  return browse(app, b, 'POST', '/sign_in', {
    form: { email, password, authenticity_token: hiddenToken(form.text), return_to: '/agent' },
  });
}

let app: TestApp;
let acct: TestAccount;
let host: string;
let agent: { id: number; email: string };

async function createUser(role: string, email: string, password?: string): Promise<number> {
  const res = await api(app, 'POST', '/api/v2/users', {
    auth: acct.auth,
    host,
    body: { user: { name: `${role} ${email}`, email, role } },
  });
  assert.equal(res.status, 201, res.text);
  if (password) {
    const set = await api(app, 'POST', `/api/v2/users/${res.body.user.id}/password`, {
      auth: acct.auth,
      host,
      body: { password },
    });
    assert.equal(set.status, 200, set.text);
  }
  return res.body.user.id;
}

before(async () => {
  app = await startTestApp({ HAVEN_SIGN_IN_MAX_FAILURES: String(MAX_FAILURES) });
  acct = await app.createAccount('acc');
  host = `${acct.subdomain}.haven.test`;
  agent = { id: await createUser('agent', 'agent@acc.example', PASSWORD), email: 'agent@acc.example' };
});
after(async () => {
  await app?.close();
});

describe('sessions through the sign-in form', () => {
  test('sign-in sets an HttpOnly SameSite=Lax session cookie; CSRF guards unsafe methods; sign-out ends it', async () => {
    const b: Browser = { cookies: new Map(), host };
    const form = await browse(app, b, 'GET', '/sign_in');
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(b.cookies.has('haven_form'), 'the form cookie is set');
    const res = await browse(app, b, 'POST', '/sign_in', {
      form: {
        email: agent.email,
        password: PASSWORD,
        authenticity_token: hiddenToken(form.text),
        return_to: '/agent',
      },
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), '/agent');
    const session = res.setCookies.find((c) => c.startsWith('haven_session='));
    assert.ok(session, 'a session cookie is set');
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Lax/i);
    assert.match(session, /;\s*Path=\//i);

    const me = await browse(app, b, 'GET', '/api/v2/users/me.json');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.id, agent.id);
    assert.equal(me.body.user.role, 'agent');
    const csrf = me.body.user.authenticity_token;
    assert.equal(typeof csrf, 'string');
    assert.ok(csrf.length >= 20);

    // The workspace app shell answers a signed-in agent; its data comes from the API calls above.
    const landing = await browse(app, b, 'GET', '/agent');
    assert.equal(landing.status, 200, landing.text);
    assert.match(landing.headers.get('content-type') ?? '', /text\/html/);
    assert.match(landing.text, /<div id="root">/);
    const signedOut = await browse(app, { cookies: new Map(), host }, 'GET', '/agent');
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.headers.get('location'), '/sign_in?return_to=%2Fagent');

    const noToken = await browse(app, b, 'PUT', `/api/v2/users/${agent.id}.json`, {
      json: { user: { alias: 'No token' } },
    });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.body.code, 'CS_CSRF_INVALID');
    const wrongToken = await browse(app, b, 'PUT', `/api/v2/users/${agent.id}.json`, {
      json: { user: { alias: 'Wrong token' } },
      headers: { 'x-csrf-token': `${csrf.slice(0, -2)}xx` },
    });
    assert.equal(wrongToken.status, 403);
    assert.equal(wrongToken.body.code, 'CS_CSRF_INVALID');
    const postNoToken = await browse(app, b, 'POST', '/api/v2/users.json', {
      json: { user: { name: 'Via session' } },
    });
    assert.equal(postNoToken.status, 403);
    assert.equal(postNoToken.body.code, 'CS_CSRF_INVALID');
    const unchanged = await api(app, 'GET', `/api/v2/users/${agent.id}.json`, { auth: acct.auth, host });
    assert.equal(unchanged.body.user.alias, null);

    const ok = await browse(app, b, 'PUT', `/api/v2/users/${agent.id}.json`, {
      json: { user: { alias: 'With token' } },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.user.alias, 'With token');
    const created = await browse(app, b, 'POST', '/api/v2/users.json', {
      json: { user: { name: 'Via session' } },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(created.status, 201, created.text);

    const stolen = new Map(b.cookies);
    const out = await browse(app, b, 'DELETE', '/api/v2/users/me/logout.json', {
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(out.status, 204);
    assert.ok(!b.cookies.has('haven_session'), 'the cookie is cleared');
    // The old cookie no longer works either: the session is gone from the database.
    const replay = await browse(app, { cookies: stolen, host }, 'GET', '/api/v2/users/me.json');
    assert.equal(replay.status, 401);
  });

  test('the HTML sign-out form ends the session only with its authenticity_token', async () => {
    const b: Browser = { cookies: new Map(), host };
    assert.equal((await signIn(app, b, agent.email, PASSWORD)).status, 303);
    // The app signs out with the session's CSRF token, which /users/me hands out as authenticity_token.
    const me = await browse(app, b, 'GET', '/api/v2/users/me.json');
    const token: string = me.body.user.authenticity_token;
    assert.equal(typeof token, 'string');
    const session = b.cookies.get('haven_session');

    const forged = await browse(app, b, 'POST', '/sign_out', { form: { authenticity_token: 'forged' } });
    assert.equal(forged.status, 303);
    assert.equal(
      (
        await browse(
          app,
          { cookies: new Map([['haven_session', session!]]), host },
          'GET',
          '/api/v2/users/me',
        )
      ).status,
      200,
    );

    const out = await browse(app, b, 'POST', '/sign_out', { form: { authenticity_token: token } });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/sign_in');
    const after = await browse(
      app,
      { cookies: new Map([['haven_session', session!]]), host },
      'GET',
      '/api/v2/users/me',
    );
    assert.equal(after.status, 401);
  });

  test('a sign-in form posted without its form cookie token is refused', async () => {
    const b: Browser = { cookies: new Map(), host };
    const res = await browse(app, b, 'POST', '/sign_in', {
      form: { email: agent.email, password: PASSWORD, authenticity_token: 'x'.repeat(32) },
    });
    assert.equal(res.status, 403);
    assert.ok(!res.setCookies.some((c) => c.startsWith('haven_session=')));
  });

  test('a wrong password answers the 401 sign-in page and no session', async () => {
    const b: Browser = { cookies: new Map(), host };
    const res = await signIn(app, b, agent.email, 'not the password');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(res.text.includes('do not match'));
    assert.ok(!b.cookies.has('haven_session'));
    assert.equal(res.headers.get('retry-after'), null);
  });
});

describe('sign-in lockout', () => {
  test(`the form locks an email after ${MAX_FAILURES} failures: 429 with Retry-After, even for the right password`, async () => {
    const email = 'lock-form@acc.example';
    await createUser('agent', email, PASSWORD);
    const b: Browser = { cookies: new Map(), host };
    for (let i = 1; i < MAX_FAILURES; i += 1) {
      const res = await signIn(app, b, email, `wrong ${i}`);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('retry-after'), null);
    }
    const locking = await signIn(app, b, email, 'wrong again');
    assert.equal(locking.status, 401);
    const locked = await signIn(app, b, email, PASSWORD);
    assert.equal(locked.status, 429, locked.text);
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0, `Retry-After ${locked.headers.get('retry-after')}`);
    assert.ok(!b.cookies.has('haven_session'));
    // Another email of the same account is not affected.
    assert.equal((await signIn(app, { cookies: new Map(), host }, agent.email, PASSWORD)).status, 303);
  });

  test('Basic email:password on the API shares the lockout', async () => {
    const email = 'lock-api@acc.example';
    await createUser('agent', email, PASSWORD);
    const good = await api(app, 'GET', '/api/v2/users/me.json', { auth: basic(email, PASSWORD), host });
    assert.equal(good.status, 200);
    assert.equal(good.headers.get('retry-after'), null);
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      const res = await api(app, 'GET', '/api/v2/users/me.json', { auth: basic(email, `wrong ${i}`), host });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('retry-after'), null);
    }
    const locked = await api(app, 'GET', '/api/v2/users/me.json', { auth: basic(email, PASSWORD), host });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'CS_SIGN_IN_LOCKED');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    const form = await signIn(app, { cookies: new Map(), host }, email, PASSWORD);
    assert.equal(form.status, 429);

    const audit = await api(app, 'GET', '/api/v2/audit_logs.json?filter%5Baction%5D=user.locked_out', {
      auth: acct.auth,
      host,
    });
    assert.ok(audit.body.audit_logs.length >= 2, 'each lockout is audited');
  });
});

describe('API rate limit', () => {
  let limited: TestApp;
  let la: TestAccount;
  let lhost: string;
  before(async () => {
    limited = await startTestApp({ HAVEN_API_RATE_LIMIT: '3' });
    la = await limited.createAccount('lim');
    lhost = `${la.subdomain}.haven.test`;
  });
  after(async () => {
    await limited?.close();
  });

  test('the request over the limit is 429 with Retry-After and CS_RATE_LIMITED; no other answer has Retry-After', async () => {
    const others: ApiResponse[] = [];
    // 200, 404, 422: three requests of one user.
    others.push(await api(limited, 'GET', '/api/v2/users/me.json', { auth: la.auth, host: lhost }));
    others.push(await api(limited, 'GET', '/api/v2/users/999999.json', { auth: la.auth, host: lhost }));
    others.push(
      await api(limited, 'POST', '/api/v2/users.json', {
        auth: la.auth,
        host: lhost,
        body: { user: { name: '' } },
      }),
    );
    assert.deepEqual(
      others.map((r) => r.status),
      [200, 404, 422],
    );
    const over = await api(limited, 'GET', '/api/v2/users/me.json', { auth: la.auth, host: lhost });
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 'CS_RATE_LIMITED');
    assert.equal(over.body.error, 'TooManyRequests');
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(
      Number.isInteger(retry) && retry > 0 && retry <= 60,
      `Retry-After ${over.headers.get('retry-after')}`,
    );

    // 401s, public pages, health and docs are not counted, and never carry Retry-After either.
    others.push(await api(limited, 'GET', '/api/v2/users/me.json', { host: lhost }));
    others.push(
      await api(limited, 'GET', '/api/v2/users/me.json', {
        auth: basic(la.adminEmail, 'wrong password!'),
        host: lhost,
      }),
    );
    others.push(await api(limited, 'GET', '/api/v2/nothing_here.json', { auth: la.auth, host: lhost }));
    others.push(await api(limited, 'GET', '/healthz'));
    others.push(await api(limited, 'GET', '/api/v2/openapi.json'));
    others.push(await api(limited, 'GET', '/sign_in', { host: lhost }));
    for (const r of others) {
      assert.notEqual(r.status, 429);
      assert.equal(r.headers.get('retry-after'), null, `status ${r.status} carries Retry-After`);
    }

    // The limit is per user: another user of the same account still gets through.
    const colleague = await createUserCommand(
      { db: limited.runtime.services.tenantDb(la.id), actor: null, ip: null },
      { name: 'Colleague', email: 'colleague@lim.example', role: 'agent' },
    );
    const mine = await api(limited, 'GET', '/api/v2/users/me.json', {
      auth: la.authAs('colleague@lim.example'),
      host: lhost,
    });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.user.id, colleague.id);
    assert.equal(mine.headers.get('retry-after'), null);
  });

  test('the limit counts per user, across accounts too', async () => {
    const other = await limited.createAccount('lim2');
    const res = await api(limited, 'GET', '/api/v2/users/me.json', {
      auth: other.auth,
      host: `${other.subdomain}.haven.test`,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('retry-after'), null);
  });
});

describe('API tokens', () => {
  test('the token is shown once, never listed, and stops working when revoked', async () => {
    const created = await api(app, 'POST', '/api/v2/api_tokens.json', {
      auth: acct.auth,
      host,
      body: { api_token: { description: 'integration' } },
    });
    assert.equal(created.status, 201);
    const token: string = created.body.api_token.token;
    assert.equal(typeof token, 'string');
    assert.ok(token.length >= 32);
    assert.equal(created.body.api_token.token_hint, token.slice(-4));

    const auth = basic(`${agent.email}/token`, token);
    const use = await api(app, 'GET', '/api/v2/users/me.json', { auth, host });
    assert.equal(use.status, 200);
    assert.equal(use.body.user.id, agent.id, 'an account token acts as the user named by the email');

    const list = await api(app, 'GET', '/api/v2/api_tokens.json', { auth: acct.auth, host });
    assert.equal(list.status, 200);
    const listed = list.body.api_tokens.find((t: any) => t.id === created.body.api_token.id);
    assert.ok(listed);
    assert.equal(listed.token, undefined);
    assert.ok(!list.text.includes(token), 'the token never appears in the list');
    assert.ok(!list.text.includes(acct.token), 'nor does the set-up token');
    assert.equal(created.body.api_token.last_used_at, null);
    // Last use is written off the request's path, so it may land just after the response.
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && !lastUsed; i++) {
      const again = await api(app, 'GET', '/api/v2/api_tokens.json', { auth: acct.auth, host });
      lastUsed = again.body.api_tokens.find((t: any) => t.id === created.body.api_token.id).last_used_at;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(String(lastUsed), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'using a token records when');

    const show = await api(app, 'GET', `/api/v2/api_tokens.json?page%5Bsize%5D=100`, {
      auth: acct.auth,
      host,
    });
    assert.ok(!show.text.includes(token));

    const agentList = await api(app, 'GET', '/api/v2/api_tokens.json', {
      auth: acct.authAs(agent.email),
      host,
    });
    assert.equal(agentList.status, 403, 'agents cannot list tokens');

    const revoked = await api(app, 'DELETE', `/api/v2/api_tokens/${created.body.api_token.id}.json`, {
      auth: acct.auth,
      host,
    });
    assert.equal(revoked.status, 204);
    const after = await api(app, 'GET', '/api/v2/users/me.json', { auth, host });
    assert.equal(after.status, 401);
    const again = await api(app, 'DELETE', `/api/v2/api_tokens/${created.body.api_token.id}.json`, {
      auth: acct.auth,
      host,
    });
    assert.equal(again.status, 404);
  });
});

describe('OAuth Bearer tokens', () => {
  async function bearer(scopes: string[], expiresAt?: string, userId?: number) {
    const res = await api(app, 'POST', '/api/v2/oauth/tokens.json', {
      auth: acct.auth,
      host,
      body: {
        token: {
          scopes,
          ...(expiresAt ? { expires_at: expiresAt } : {}),
          ...(userId ? { user_id: userId } : {}),
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(typeof res.body.token.full_token, 'string');
    return { id: res.body.token.id as number, auth: `Bearer ${res.body.token.full_token}` };
  }

  test('a read token can GET but not write; a write token can write', async () => {
    const read = await bearer(['read']);
    assert.equal((await api(app, 'GET', '/api/v2/users.json', { auth: read.auth, host })).status, 200);
    const put = await api(app, 'PUT', `/api/v2/users/${agent.id}.json`, {
      auth: read.auth,
      host,
      body: { user: { alias: 'R' } },
    });
    assert.equal(put.status, 403);
    assert.equal(put.body.code, 'CS_FORBIDDEN');
    const post = await api(app, 'POST', '/api/v2/users.json', {
      auth: read.auth,
      host,
      body: { user: { name: 'By read' } },
    });
    assert.equal(post.status, 403);
    const del = await api(app, 'DELETE', `/api/v2/users/${agent.id}.json`, { auth: read.auth, host });
    assert.equal(del.status, 403);
    const still = await api(app, 'GET', `/api/v2/users/${agent.id}.json`, { auth: acct.auth, host });
    assert.equal(still.body.user.active, true);

    const write = await bearer(['read', 'write']);
    const ok = await api(app, 'PUT', `/api/v2/users/${agent.id}.json`, {
      auth: write.auth,
      host,
      body: { user: { alias: 'W' } },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.user.alias, 'W');

    const list = await api(app, 'GET', '/api/v2/oauth/tokens.json', { auth: acct.auth, host });
    assert.ok(!list.text.includes(write.auth.slice(7)), 'full tokens are never listed');
    const revoke = await api(app, 'DELETE', `/api/v2/oauth/tokens/${write.id}.json`, {
      auth: acct.auth,
      host,
    });
    assert.equal(revoke.status, 204);
    assert.equal((await api(app, 'GET', '/api/v2/users.json', { auth: write.auth, host })).status, 401);
  });

  test('an expired token is 401; bad scopes are 422', async () => {
    const expired = await bearer(['read'], new Date(Date.now() - 60_000).toISOString());
    const res = await api(app, 'GET', '/api/v2/users/me.json', { auth: expired.auth, host });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "Couldn't authenticate you");
    const future = await bearer(['read'], new Date(Date.now() + 3_600_000).toISOString());
    assert.equal((await api(app, 'GET', '/api/v2/users/me.json', { auth: future.auth, host })).status, 200);

    const bad = await api(app, 'POST', '/api/v2/oauth/tokens.json', {
      auth: acct.auth,
      host,
      body: { token: { scopes: ['admin'] } },
    });
    assert.equal(bad.status, 422);
  });
});

describe('unusable users', () => {
  test("suspended and deleted users' passwords, API tokens, Bearer tokens and sessions are all 401", async () => {
    for (const change of ['suspend', 'delete'] as const) {
      const email = `${change}@acc.example`;
      const id = await createUser('agent', email, PASSWORD);
      const token = await api(app, 'POST', '/api/v2/oauth/tokens.json', {
        auth: acct.auth,
        host,
        body: { token: { scopes: ['read', 'write'], user_id: id } },
      });
      const credentials = [
        basic(email, PASSWORD),
        acct.authAs(email),
        `Bearer ${token.body.token.full_token}`,
      ];
      const b: Browser = { cookies: new Map(), host };
      assert.equal((await signIn(app, b, email, PASSWORD)).status, 303);
      for (const auth of credentials) {
        assert.equal(
          (await api(app, 'GET', '/api/v2/users/me.json', { auth, host })).status,
          200,
          `${change}: works before`,
        );
      }
      assert.equal((await browse(app, b, 'GET', '/api/v2/users/me.json')).status, 200);

      const res =
        change === 'suspend'
          ? await api(app, 'PUT', `/api/v2/users/${id}.json`, {
              auth: acct.auth,
              host,
              body: { user: { suspended: true } },
            })
          : await api(app, 'DELETE', `/api/v2/users/${id}.json`, { auth: acct.auth, host });
      assert.equal(res.status, 200, res.text);

      for (const auth of credentials) {
        const after = await api(app, 'GET', '/api/v2/users/me.json', { auth, host });
        assert.equal(after.status, 401, `${change}: ${auth.split(' ')[0]} is refused`);
      }
      assert.equal(
        (await browse(app, b, 'GET', '/api/v2/users/me.json')).status,
        401,
        `${change}: the session is refused`,
      );
      assert.equal((await signIn(app, { cookies: new Map(), host }, email, PASSWORD)).status, 401);
    }
  });
});

describe('staff management by an admin', () => {
  test('promoting an agent to admin and back changes what their session may do at once', async () => {
    const email = 'promote-me@acc.example';
    const id = await createUser('agent', email, PASSWORD);
    const b: Browser = { cookies: new Map(), host };
    assert.equal((await signIn(app, b, email, PASSWORD)).status, 303);
    const auditLogs = () => browse(app, b, 'GET', '/api/v2/audit_logs.json');
    assert.equal((await auditLogs()).status, 403, 'agents do not see the audit log');

    const setRole = (role: string) =>
      api(app, 'PUT', `/api/v2/users/${id}.json`, { auth: acct.auth, host, body: { user: { role } } });
    const promoted = await setRole('admin');
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal(promoted.body.user.role, 'admin');
    assert.equal((await auditLogs()).status, 200, 'the same session now has admin rights');

    const demoted = await setRole('agent');
    assert.equal(demoted.status, 200, demoted.text);
    assert.equal(demoted.body.user.role, 'agent');
    assert.equal((await auditLogs()).status, 403, 'and loses them again');
    const me = await browse(app, b, 'GET', '/api/v2/users/me.json');
    assert.equal(me.body.user.role, 'agent');
  });

  test('a suspended agent can sign in again once unsuspended; the old session stays ended', async () => {
    const email = 'back-again@acc.example';
    const id = await createUser('agent', email, PASSWORD);
    const b: Browser = { cookies: new Map(), host };
    assert.equal((await signIn(app, b, email, PASSWORD)).status, 303);
    const old = new Map(b.cookies);
    const suspend = (suspended: boolean) =>
      api(app, 'PUT', `/api/v2/users/${id}.json`, { auth: acct.auth, host, body: { user: { suspended } } });
    assert.equal((await suspend(true)).body.user.suspended, true);
    assert.equal((await signIn(app, { cookies: new Map(), host }, email, PASSWORD)).status, 401);
    const back = await suspend(false);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.user.suspended, false);
    assert.equal((await browse(app, { cookies: old, host }, 'GET', '/api/v2/users/me.json')).status, 401);
    assert.equal(
      (await api(app, 'GET', '/api/v2/users/me.json', { auth: acct.authAs(email), host })).status,
      200,
      'API tokens naming them work again',
    );
    assert.equal((await signIn(app, { cookies: new Map(), host }, email, PASSWORD)).status, 303);
    const self = await api(app, 'PUT', `/api/v2/users/${acct.adminId}.json`, {
      auth: acct.auth,
      host,
      body: { user: { suspended: true } },
    });
    assert.equal(self.status, 422, 'an admin cannot suspend themselves');
  });
});

describe('audit log', () => {
  test('admins see sign-ins, token creation and role changes; agents get 403', async () => {
    const id = await createUser('end-user', 'promoted@acc.example');
    const promote = await api(app, 'PUT', `/api/v2/users/${id}.json`, {
      auth: acct.auth,
      host,
      body: { user: { role: 'agent' } },
    });
    assert.equal(promote.status, 200);
    assert.equal(promote.body.user.role, 'agent');

    const res = await api(app, 'GET', '/api/v2/audit_logs.json?per_page=100', { auth: acct.auth, host });
    assert.equal(res.status, 200);
    const entries: any[] = res.body.audit_logs;
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'user.signed_in',
      'api_token.created',
      'oauth_token.created',
      'user.role_changed',
      'user.signed_out',
    ]) {
      assert.ok(actions.has(action), `${action} is audited (have ${[...actions].join(', ')})`);
    }
    const role = entries.find((e) => e.action === 'user.role_changed' && e.source_id === id);
    assert.ok(role, 'the role change names its user');
    assert.equal(role.actor_id, acct.adminId);
    assert.match(role.change_description, /end-user to agent/);
    const signIn = entries.find((e) => e.action === 'user.signed_in' && e.actor_id === agent.id);
    assert.ok(signIn);
    assert.match(signIn.ip_address, /^127\.0\.0\.0$/, 'IPs are stored truncated');
    const ids = entries.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );

    const one = await api(app, 'GET', `/api/v2/audit_logs/${role.id}.json`, { auth: acct.auth, host });
    assert.equal(one.status, 200);
    assert.equal(one.body.audit_log.action, 'user.role_changed');

    const filtered = await api(app, 'GET', '/api/v2/audit_logs.json?filter%5Baction%5D=user.role_changed', {
      auth: acct.auth,
      host,
    });
    assert.ok(filtered.body.audit_logs.length >= 1);
    assert.ok(filtered.body.audit_logs.every((e: any) => e.action === 'user.role_changed'));

    const asAgent = await api(app, 'GET', '/api/v2/audit_logs.json', {
      auth: acct.authAs(agent.email),
      host,
    });
    assert.equal(asAgent.status, 403);
    assert.equal(asAgent.body.code, 'CS_FORBIDDEN');
    const oneAsAgent = await api(app, 'GET', `/api/v2/audit_logs/${role.id}.json`, {
      auth: acct.authAs(agent.email),
      host,
    });
    assert.equal(oneAsAgent.status, 403);
  });

  test('audit rows cannot be updated or deleted with SQL', async () => {
    const db = app.runtime.services.database.db;
    const before = await db
      .selectFrom('audit_logs')
      .select(['id', 'action'])
      .where('account_id', '=', acct.id)
      .execute();
    assert.ok(before.length > 0);
    await assert.rejects(
      sql`update audit_logs set action = 'tampered' where account_id = ${acct.id}`.execute(db),
      /append-only/,
    );
    await assert.rejects(
      sql`delete from audit_logs where account_id = ${acct.id}`.execute(db),
      /append-only/,
    );
    const after = await db
      .selectFrom('audit_logs')
      .select(['id', 'action'])
      .where('account_id', '=', acct.id)
      .execute();
    assert.equal(after.length, before.length);
    assert.ok(!after.some((r) => r.action === 'tampered'));
  });
});

describe('first-run set-up', () => {
  let fresh: TestApp;
  before(async () => {
    fresh = await startTestApp();
  });
  after(async () => {
    await fresh?.close();
  });

  test('GET / sends a fresh install to /setup; POST /setup creates the account and admin and signs in once', async () => {
    const b: Browser = { cookies: new Map() };
    const front = await browse(fresh, b, 'GET', '/');
    assert.equal(front.status, 303);
    assert.equal(front.headers.get('location'), '/setup');
    const signInPage = await browse(fresh, b, 'GET', '/sign_in');
    assert.equal(signInPage.status, 303);
    assert.equal(signInPage.headers.get('location'), '/setup');

    const form = await browse(fresh, b, 'GET', '/setup');
    assert.equal(form.status, 200);
    const token = hiddenToken(form.text);
    const fields = {
      name: 'First Co',
      subdomain: 'firstco',
      admin_name: 'First Admin',
      admin_email: 'first@firstco.example',
      admin_password: 'first admin password',
      authenticity_token: token,
    };
    const invalid = await browse(fresh, b, 'POST', '/setup', {
      form: { ...fields, admin_password: 'short' },
    });
    assert.equal(invalid.status, 422);
    assert.equal(await fresh.runtime.services.accounts.count(), 0);
    // The error sits beside the password field, in plain words, without internal field names.
    assert.match(invalid.text, /id="f-admin_password-error">must be at least 10 characters</);
    assert.ok(!invalid.text.includes('adminPassword'), 'no internal field names on the page');
    assert.match(invalid.text, /value="first@firstco.example"/, 'what was typed is kept');

    const created = await browse(fresh, b, 'POST', '/setup', { form: fields });
    assert.equal(created.status, 303, created.text);
    assert.equal(created.headers.get('location'), '/agent');
    const session = created.setCookies.find((c) => c.startsWith('haven_session='));
    assert.ok(session);
    assert.match(session, /HttpOnly/i);
    assert.equal(await fresh.runtime.services.accounts.count(), 1);

    const me = await browse(fresh, b, 'GET', '/api/v2/users/me.json');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'first@firstco.example');
    assert.equal(me.body.user.role, 'admin');
    const account = await browse(fresh, b, 'GET', '/api/v2/account.json');
    assert.equal(account.body.account.subdomain, 'firstco');

    // A second visitor (no session) cannot create another account.
    const other: Browser = { cookies: new Map() };
    const setupAgain = await browse(fresh, other, 'GET', '/setup');
    assert.equal(setupAgain.status, 303);
    assert.equal(setupAgain.headers.get('location'), '/sign_in');
    const signInForm = await browse(fresh, other, 'GET', '/sign_in');
    const second = await browse(fresh, other, 'POST', '/setup', {
      form: {
        ...fields,
        subdomain: 'secondco',
        admin_email: 'x@secondco.example',
        authenticity_token: hiddenToken(signInForm.text),
      },
    });
    assert.equal(second.status, 303);
    assert.equal(second.headers.get('location'), '/sign_in');
    assert.ok(!second.setCookies.some((c) => c.startsWith('haven_session=')));
    assert.equal(await fresh.runtime.services.accounts.count(), 1);
    const front2 = await browse(fresh, other, 'GET', '/');
    assert.equal(front2.headers.get('location'), '/sign_in');
  });
});
