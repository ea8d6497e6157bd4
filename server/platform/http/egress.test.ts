import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { blockedRange, EgressError, egressRequest, egressUrlProblem } from './egress.ts';

describe('address classification', () => {
  const blocked: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.10.20.30', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['[::1]', 'loopback'],
  ];
  for (const [address, range] of blocked) {
    test(`${address} is refused (${range})`, () => {
      assert.equal(blockedRange(address), range);
    });
  }

  test('IPv6 forms that embed an IPv4 address are refused too (6to4, NAT64)', () => {
    assert.notEqual(blockedRange('2002:7f00:1::1'), null);
    assert.notEqual(blockedRange('64:ff9b::7f00:1'), null);
  });

  for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:2800:220:1:248:1893:25c8:1946']) {
    test(`${address} is a public address`, () => {
      assert.equal(blockedRange(address), null);
    });
  }

  test('something that is not an address is refused', () => {
    assert.equal(blockedRange('not-an-ip'), 'invalid');
  });

  test('only http and https URLs without embedded credentials', () => {
    assert.equal(egressUrlProblem('https://example.com/hook'), null);
    assert.match(egressUrlProblem('ftp://example.com/')!, /http/);
    assert.match(egressUrlProblem('file:///etc/passwd')!, /http/);
    assert.match(egressUrlProblem('https://user:secret@example.com/')!, /credentials/);
    assert.match(egressUrlProblem('not a url')!, /valid URL/);
  });
});

describe('egressRequest against a local server', () => {
  let server: http.Server;
  let base: string;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('x'.repeat(200 * 1024));
        } else if (req.url === '/hang') {
          // Never answers; the client's deadline ends it.
        } else if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://10.0.0.1/' });
          res.end();
        } else {
          res.writeHead(201, { 'content-type': 'application/json', 'x-reply': 'yes' });
          res.end('{"ok":true}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function refusal(promise: Promise<unknown>): Promise<EgressError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof EgressError, `an EgressError, got ${err}`);
      return err;
    }
    assert.fail('the request was not refused');
  }

  test('a loopback address is refused by default, before any connection', async () => {
    const before = seen.length;
    const err = await refusal(egressRequest({ method: 'POST', url: `${base}/hook`, body: '{}' }));
    assert.equal(err.code, 'blocked_address');
    assert.match(err.message, /loopback/);
    assert.match(err.message, /HAVEN_ALLOW_PRIVATE_EGRESS/);
    assert.equal(seen.length, before, 'nothing reached the server');
  });

  test('a host name that resolves to loopback is refused as well', async () => {
    const port = (server.address() as AddressInfo).port;
    const err = await refusal(egressRequest({ method: 'GET', url: `http://localhost:${port}/hook` }));
    assert.equal(err.code, 'blocked_address');
  });

  test('other schemes are refused', async () => {
    const err = await refusal(
      egressRequest({ method: 'GET', url: 'file:///etc/passwd', allowPrivate: true }),
    );
    assert.equal(err.code, 'invalid_url');
  });

  test('with private egress allowed, the request is sent and the response returned', async () => {
    const res = await egressRequest({
      method: 'POST',
      url: `${base}/hook?x=1`,
      headers: { 'content-type': 'application/json', 'x-custom': 'value' },
      body: '{"hello":"world"}',
      allowPrivate: true,
    });
    assert.equal(res.status, 201);
    assert.equal(res.body, '{"ok":true}');
    assert.equal(res.headers['x-reply'], 'yes');
    assert.equal(res.truncated, false);
    assert.equal(res.address, '127.0.0.1');
    const got = seen.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/hook?x=1');
    assert.equal(got.body, '{"hello":"world"}');
    assert.equal(got.headers['x-custom'], 'value');
    assert.equal(got.headers['content-length'], String('{"hello":"world"}'.length));
  });

  test('a host name connects to the address that was checked', async () => {
    const port = (server.address() as AddressInfo).port;
    const res = await egressRequest({
      method: 'GET',
      url: `http://localhost:${port}/named`,
      allowPrivate: true,
    });
    assert.equal(res.status, 201);
    assert.equal(seen.at(-1)!.headers.host, `localhost:${port}`);
  });

  test('the response body is kept up to the cap and marked truncated', async () => {
    const res = await egressRequest({
      method: 'GET',
      url: `${base}/big`,
      allowPrivate: true,
      maxResponseBytes: 1000,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 1000);
    assert.equal(res.truncated, true);
  });

  test('redirects are returned, not followed', async () => {
    const res = await egressRequest({ method: 'GET', url: `${base}/redirect`, allowPrivate: true });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, 'http://10.0.0.1/');
  });

  test('a header Node cannot send is a request error, not a crash', async () => {
    const err = await refusal(
      egressRequest({
        method: 'GET',
        url: `${base}/hook`,
        headers: { 'x-bad': 'caf\u00e9 \u2615' },
        allowPrivate: true,
      }),
    );
    assert.equal(err.code, 'invalid_request');
  });

  test('a server that does not answer in time gives a timeout', async () => {
    const err = await refusal(
      egressRequest({ method: 'GET', url: `${base}/hang`, allowPrivate: true, timeoutMs: 300 }),
    );
    assert.equal(err.code, 'timeout');
  });

  test('a closed port gives a connection error', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await refusal(
      egressRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, allowPrivate: true }),
    );
    assert.equal(err.code, 'connection');
    assert.match(err.message, /ECONNREFUSED/);
  });
});
