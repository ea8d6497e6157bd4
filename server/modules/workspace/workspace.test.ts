import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import { WORKSPACE_DIST } from '../../platform/http/workspace-files.ts';

/**
 * How Haven hands out the agent workspace (built into agent/dist; `npm test` builds it first): the app to
 * agents only, under a CSP that allows only its own scripts and origin; hashed assets cached for a year and
 * sent pre-compressed; nothing outside the assets folder.
 */
let app: TestApp;
let acct: TestAccount;
let host: string;

before(async () => {
  app = await startTestApp();
  acct = await app.createAccount();
  host = `${acct.subdomain}.haven.test`;
});

after(async () => {
  await app?.close();
});

describe('the agent workspace', () => {
  test('signed-out visitors are sent to sign in and back; end-users are refused', async () => {
    const anonymous = await api(app, 'GET', '/agent/tickets/42?tab=history', { host });
    assert.equal(anonymous.status, 303);
    assert.equal(
      anonymous.headers.get('location'),
      `/sign_in?return_to=${encodeURIComponent('/agent/tickets/42?tab=history')}`,
    );
    const customer = await acct.createUser('Wren Customer', 'wren@customer.example');
    const endUser = await api(app, 'GET', '/agent', { host, auth: acct.authAs(customer.email) });
    assert.equal(endUser.status, 403);
    assert.ok(!endUser.text.includes('/agent/assets/'), 'no app for end-users');
  });

  test('agents get the app on every path, never cached, under a strict CSP', async () => {
    for (const url of ['/agent', '/agent/views/3', '/agent/admin/team']) {
      const res = await api(app, 'GET', url, { host, auth: acct.auth });
      assert.equal(res.status, 200, url);
      assert.match(res.text, /<script type="module" crossorigin src="\/agent\/assets\/index-[\w-]+\.js">/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    }
  });

  test('assets are immutable, pre-compressed, and only from the assets folder', async () => {
    const html = (await api(app, 'GET', '/agent', { host, auth: acct.auth })).text;
    const entry = html.match(/\/agent\/assets\/(index-[\w-]+\.js)/)![1]!;
    const res = await api(app, 'GET', `/agent/assets/${entry}`, {
      headers: { 'accept-encoding': 'br, gzip' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-encoding'), 'br');
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    // What arrives, once decompressed (fetch does it), is the built file.
    const fetched = await fetch(`${app.baseUrl}/agent/assets/${entry}`, {
      headers: { 'accept-encoding': 'br' },
    });
    assert.deepEqual(
      Buffer.from(await fetched.arrayBuffer()),
      fs.readFileSync(path.join(WORKSPACE_DIST, 'assets', entry)),
    );

    for (const bad of ['nope-123.js', '..%2Findex.html', '..%2F..%2Fpackage.json', 'index.html']) {
      const missing = await api(app, 'GET', `/agent/assets/${bad}`);
      assert.equal(missing.status, 404, bad);
    }
  });
});
