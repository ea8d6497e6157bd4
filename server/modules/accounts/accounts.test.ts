import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

interface MyAccount {
  id: number;
  name: string;
  subdomain: string;
  url: string;
  current: boolean;
}

let app: TestApp;
/** Pat is an agent in alpha, an admin in bravo, a customer in charlie, suspended in delta. */
let alpha: TestAccount;
let bravo: TestAccount;
let charlie: TestAccount;
let delta: TestAccount;

async function user(account: TestAccount, body: Record<string, unknown>): Promise<number> {
  const res = await api(app, 'POST', '/api/v2/users.json', { auth: account.auth, body: { user: body } });
  assert.equal(res.status, 201, res.text);
  return res.body.user.id;
}

async function myAccounts(auth: string): Promise<MyAccount[]> {
  const res = await api(app, 'GET', '/api/v2/users/me/accounts', { auth });
  assert.equal(res.status, 200, res.text);
  return res.body.accounts;
}

before(async () => {
  app = await startTestApp();
  alpha = await app.createAccount('alpha');
  bravo = await app.createAccount('bravo');
  charlie = await app.createAccount('charlie');
  delta = await app.createAccount('delta');
  await user(alpha, { name: 'Pat', email: 'pat@people.test', role: 'agent', verified: true });
  // The same person, written differently: emails match whatever their case.
  await user(bravo, { name: 'Pat P.', email: 'Pat@People.TEST', role: 'admin', verified: true });
  await user(charlie, { name: 'Pat as customer', email: 'pat@people.test', verified: true });
  const suspended = await user(delta, {
    name: 'Pat',
    email: 'pat@people.test',
    role: 'agent',
    verified: true,
  });
  const res = await api(app, 'PUT', `/api/v2/users/${suspended}.json`, {
    auth: delta.auth,
    body: { user: { suspended: true } },
  });
  assert.equal(res.status, 200, res.text);
  // Someone else, agent in alpha and delta.
  await user(alpha, { name: 'Quinn', email: 'quinn@people.test', role: 'agent', verified: true });
  await user(delta, { name: 'Quinn', email: 'quinn@people.test', role: 'agent', verified: true });
});

after(async () => {
  await app.close();
});

describe('GET /api/v2/users/me/accounts', () => {
  it('lists every account where the person is an active agent or admin, with its workspace URL', async () => {
    const fromAlpha = await myAccounts(alpha.authAs('pat@people.test'));
    assert.deepEqual(
      fromAlpha.map((a) => [a.subdomain, a.current]),
      [
        ['alpha', true],
        ['bravo', false],
      ],
    );
    const bravoEntry = fromAlpha.find((a) => a.subdomain === 'bravo')!;
    assert.equal(bravoEntry.id, bravo.id);
    assert.equal(bravoEntry.name, 'Account bravo');
    // The harness's base URL is http://localhost:3000 on base domain haven.test.
    assert.equal(bravoEntry.url, 'http://bravo.haven.test:3000/agent');

    // Signed in to bravo, the same list, with bravo current.
    const fromBravo = await myAccounts(bravo.authAs('Pat@People.TEST'));
    assert.deepEqual(
      fromBravo.map((a) => [a.id, a.current]),
      [
        [alpha.id, false],
        [bravo.id, true],
      ],
    );
  });

  it('leaves out accounts where the same email is a customer, or suspended', async () => {
    const listed = (await myAccounts(alpha.authAs('pat@people.test'))).map((a) => a.subdomain);
    assert.ok(!listed.includes('charlie'), 'an end-user identity is not an account to switch to');
    assert.ok(!listed.includes('delta'), 'a suspended agent is not an account to switch to');
  });

  it("never shows another person's accounts", async () => {
    const quinn = await myAccounts(alpha.authAs('quinn@people.test'));
    assert.deepEqual(quinn.map((a) => a.subdomain).sort(), ['alpha', 'delta']);
    const admin = await myAccounts(alpha.auth);
    assert.deepEqual(
      admin.map((a) => [a.subdomain, a.current]),
      [['alpha', true]],
    );
  });

  it('proves nothing with an unverified email: only the current account', async () => {
    const echo = await app.createAccount('echo');
    await user(echo, { name: 'Pat?', email: 'pat@people.test', role: 'agent' });
    const listed = await myAccounts(echo.authAs('pat@people.test'));
    assert.deepEqual(
      listed.map((a) => [a.subdomain, a.current]),
      [['echo', true]],
    );
    // Nor does that unverified identity add echo to the real Pat's list.
    const pat = await myAccounts(alpha.authAs('pat@people.test'));
    assert.ok(!pat.some((a) => a.subdomain === 'echo'));
  });

  it('uses the custom domain of an account that has one', async () => {
    const res = await api(app, 'PUT', '/api/v2/account', {
      auth: bravo.auth,
      body: { account: { host_mapping: 'help.bravo.example' } },
    });
    assert.equal(res.status, 200, res.text);
    const listed = await myAccounts(alpha.authAs('pat@people.test'));
    assert.equal(listed.find((a) => a.id === bravo.id)?.url, 'http://help.bravo.example/agent');
  });

  it('is for agents: a customer is refused', async () => {
    const res = await api(app, 'GET', '/api/v2/users/me/accounts', {
      auth: charlie.authAs('pat@people.test'),
    });
    assert.equal(res.status, 403);
  });
});
