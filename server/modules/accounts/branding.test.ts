import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';

/** The account profile the admin settings edit: name, time zone, locale and the brand colour. */
let app: TestApp;
let acct: TestAccount;
let host: string;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount('brand');
  host = `${acct.subdomain}.haven.test`;
});
after(async () => {
  await app?.close();
});

function put(account: Record<string, unknown>, auth = acct.auth) {
  return api(app, 'PUT', '/api/v2/account.json', { auth, host, body: { account } });
}

async function current() {
  const res = await api(app, 'GET', '/api/v2/account.json', { auth: acct.auth, host });
  assert.equal(res.status, 200, res.text);
  return res.body.account;
}

describe('account profile and branding', () => {
  test('a new account has no brand colour; an admin sets one (stored in lower case) and clears it', async () => {
    assert.equal((await current()).brand_color, null);
    const set = await put({ brand_color: '#1F5FBF' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.account.brand_color, '#1f5fbf');
    assert.equal((await current()).brand_color, '#1f5fbf');
    const agentView = await api(app, 'GET', '/api/v2/account.json', {
      auth: acct.authAs((await acct.createUser('Ann Agent', 'ann@brand.example', 'agent')).email),
      host,
    });
    assert.equal(agentView.body.account.brand_color, '#1f5fbf', 'agents read it for the workspace');

    const cleared = await put({ brand_color: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal((await current()).brand_color, null);
  });

  test('a colour that is not #rrggbb is a 422 on brand_color, and nothing changes', async () => {
    assert.equal((await put({ brand_color: '#abcdef' })).status, 200);
    for (const bad of ['red', '#12345', '#1234567', '1f5fbf', '#gggggg', 'rgb(1,2,3)', '', 7]) {
      const res = await put({ brand_color: bad });
      assert.equal(res.status, 422, `${JSON.stringify(bad)}: ${res.text}`);
      assert.ok(res.body.details.brand_color, res.text);
    }
    assert.equal((await current()).brand_color, '#abcdef');
  });

  test('name, time zone and locale are updated together, validated, and audited', async () => {
    const res = await put({ name: 'Brand New Co', time_zone: 'Europe/Paris', locale: 'fr-FR' });
    assert.equal(res.status, 200, res.text);
    const account = await current();
    assert.equal(account.name, 'Brand New Co');
    assert.equal(account.time_zone, 'Europe/Paris');
    assert.equal(account.locale, 'fr-FR');

    for (const [field, value] of [
      ['time_zone', 'Mars/Olympus_Mons'],
      ['locale', 'not a locale'],
      ['name', ''],
    ] as const) {
      const bad = await put({ [field]: value });
      assert.equal(bad.status, 422, `${field}: ${bad.text}`);
      assert.ok(bad.body.details[field], bad.text);
    }
    const unchanged = await current();
    assert.equal(unchanged.time_zone, 'Europe/Paris');
    assert.equal(unchanged.locale, 'fr-FR');
    assert.equal(unchanged.name, 'Brand New Co');

    const audit = await api(app, 'GET', '/api/v2/audit_logs.json?filter%5Baction%5D=account.updated', {
      auth: acct.auth,
      host,
    });
    assert.ok(
      audit.body.audit_logs.some((e: any) => /name, time_zone, locale/.test(e.change_description)),
      audit.text,
    );
  });

  test('only admins change the account', async () => {
    await acct.createUser('Bob Agent', 'bob@brand.example', 'agent');
    const res = await put({ brand_color: '#000000' }, acct.authAs('bob@brand.example'));
    assert.equal(res.status, 403);
    assert.notEqual((await current()).brand_color, '#000000');
  });
});
