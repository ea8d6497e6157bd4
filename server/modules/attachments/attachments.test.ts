import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { api, startTestApp, type TestAccount, type TestApp } from '../../../test/harness.ts';
import type { Actor } from '../../platform/auth/authenticate.ts';
import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { moduleJobs } from '../index.ts';
import { claimUploads, uploadFile } from './attachments.commands.ts';
import { attachmentsForComments } from './attachments.queries.ts';

const MAX_UPLOAD = 64 * 1024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let app: TestApp;
let acct: TestAccount;
let other: TestAccount;
let host: string;
let db: TenantDb;
let agent: { id: number; auth: string };
let customer: { id: number; auth: string };
let stranger: { id: number; auth: string };

async function person(name: string, role: string) {
  const user = await acct.createUser(name, `${name.toLowerCase()}@files.example`, role);
  return { id: user.id as number, auth: acct.authAs(user.email) };
}

/** Uploads as node-zendesk does: raw bytes, `binary=undefined`, and `token=undefined` when there is none. */
function upload(
  auth: string,
  filename: string,
  bytes: Buffer | string,
  options: { contentType?: string | null; token?: string } = {},
) {
  const query = new URLSearchParams({ filename, binary: 'undefined', token: options.token ?? 'undefined' });
  const headers: Record<string, string> = {};
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/binary';
  return api(app, 'POST', `/api/v2/uploads.json?${query}`, { auth, host, rawBody: bytes, headers });
}

/** GETs an absolute URL from a response (content_url, url) on the account's host. */
function fetchUrl(url: string, auth: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return api(app, 'GET', `${u.pathname}${u.search}`, { auth, host, headers });
}

/** Downloads raw bytes (the harness decodes bodies as UTF-8 text). */
async function download(url: string, auth: string) {
  const u = new URL(url);
  const res = await fetch(`${app.baseUrl}${u.pathname}${u.search}`, { headers: { authorization: auth } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function storedFileCount(): Promise<number> {
  const row = await db
    .selectFrom('stored_files')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function ticketWithComment(options: { public: boolean; authorId: number }) {
  const ticket = await db
    .insertInto('tickets', { subject: 'Printer on fire', requester_id: customer.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const comment = await db
    .insertInto('ticket_comments', {
      ticket_id: ticket.id,
      author_id: options.authorId,
      body: 'See the attached photo',
      public: options.public,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ticketId: ticket.id, commentId: comment.id };
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
}

/** A minimal Windows executable header: `MZ`, the PE offset at 0x3c, `PE\0\0` there. */
function peBytes(): Buffer {
  const b = Buffer.alloc(0x100);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

function assertInvalid(res: { status: number; body: any; text: string }, field: string) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.error, 'RecordInvalid');
  assert.ok(res.body.details?.[field]?.[0]?.description, `details on ${field}: ${res.text}`);
}

before(async () => {
  app = await startTestApp({ HAVEN_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) });
  acct = await app.createAccount('files');
  other = await app.createAccount('otherfiles');
  host = `${acct.subdomain}.haven.test`;
  db = app.runtime.services.tenantDb(acct.id);
  agent = await person('Agent', 'agent');
  customer = await person('Customer', 'end-user');
  stranger = await person('Stranger', 'end-user');
});

after(async () => {
  await app?.close();
});

describe('POST /api/v2/uploads', () => {
  test('takes the raw bytes whatever the Content-Type, and answers in Zendesk shape', async () => {
    const text = await upload(customer.auth, 'notes.txt', 'hello from the customer\n');
    assert.equal(text.status, 201, text.text);
    const { upload: up } = text.body;
    assert.match(up.token, /^[A-Za-z0-9_-]{20,}$/);
    assert.match(up.expires_at, TIMESTAMP);
    const minutes = (Date.parse(up.expires_at) - Date.now()) / 60_000;
    assert.ok(minutes > 58 && minutes <= 60, `expires in ${minutes} minutes`);
    assert.deepEqual(Object.keys(up), ['token', 'expires_at', 'attachments', 'attachment']);
    const a = up.attachment;
    assert.deepEqual(Object.keys(a), [
      'url',
      'id',
      'file_name',
      'content_url',
      'mapped_content_url',
      'content_type',
      'size',
      'width',
      'height',
      'inline',
      'deleted',
      'malware_access_override',
      'malware_scan_result',
      'thumbnails',
    ]);
    assert.equal(a.url, `http://${host}/api/v2/attachments/${a.id}.json`);
    assert.equal(a.file_name, 'notes.txt');
    assert.equal(a.content_type, 'text/plain');
    assert.equal(a.size, 24);
    assert.equal(a.width, null);
    assert.equal(a.height, null);
    assert.equal(a.inline, false);
    assert.equal(a.deleted, false);
    assert.equal(a.malware_scan_result, 'not_scanned');
    assert.equal(a.malware_access_override, false);
    assert.deepEqual(a.thumbnails, []);
    assert.match(
      a.content_url,
      /^http:\/\/files\.haven\.test\/attachments\/token\/[A-Za-z0-9_-]+\/\?name=notes\.txt$/,
    );
    assert.equal(a.mapped_content_url, a.content_url);
    assert.deepEqual(up.attachments, [a]);
    const back = await download(a.content_url, customer.auth);
    assert.equal(back.status, 200);
    assert.equal(back.bytes.toString(), 'hello from the customer\n');

    // node-zendesk sends a file path's bytes as `application/json`; they are not JSON and stay untouched.
    const binary = Buffer.from([0x00, 0xff, 0x7b, 0x22, 0x80, 0x0a, 0xfe, 0x01]);
    const json = await upload(customer.auth, 'blob.bin', binary, { contentType: 'application/json' });
    assert.equal(json.status, 201, json.text);
    assert.equal(json.body.upload.attachment.content_type, 'application/octet-stream');
    assert.equal(json.body.upload.attachment.size, binary.length);
    assert.notEqual(json.body.upload.token, up.token);
    assert.deepEqual((await download(json.body.upload.attachment.content_url, customer.auth)).bytes, binary);

    for (const contentType of ['application/octet-stream', null, 'application/x-www-form-urlencoded']) {
      const res = await upload(customer.auth, 'data.csv', 'a,b\n1,2\n', { contentType });
      assert.equal(res.status, 201, `${contentType}: ${res.text}`);
      assert.equal(res.body.upload.attachment.content_type, 'text/csv');
      assert.equal(res.body.upload.attachment.size, 8);
    }
  });

  test('passing the token adds files to the same upload; only its uploader may', async () => {
    const first = await upload(customer.auth, 'one.txt', 'first');
    const token = first.body.upload.token;
    const second = await upload(customer.auth, 'two.txt', 'second', { token });
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.upload.token, token);
    assert.equal(second.body.upload.attachment.file_name, 'two.txt');
    assert.deepEqual(
      second.body.upload.attachments.map((a: any) => a.file_name),
      ['one.txt', 'two.txt'],
    );
    assert.ok(Date.parse(second.body.upload.expires_at) >= Date.parse(first.body.upload.expires_at));

    assertInvalid(await upload(stranger.auth, 'three.txt', 'third', { token }), 'token');
    assertInvalid(await upload(customer.auth, 'three.txt', 'third', { token: 'nosuchtoken123' }), 'token');
    const sameAfter = await upload(customer.auth, 'three.txt', 'third', { token });
    assert.equal(sameAfter.body.upload.attachments.length, 3);
  });

  test('cleans the file name and refuses a missing or blank one', async () => {
    const windows = await upload(customer.auth, 'C:\\Users\\me\\report.txt', 'x');
    assert.equal(windows.status, 201, windows.text);
    assert.equal(windows.body.upload.attachment.file_name, 'report.txt');
    assertInvalid(await upload(customer.auth, '', 'x'), 'filename');
    assertInvalid(await upload(customer.auth, '   ', 'x'), 'filename');
    const missing = await api(app, 'POST', '/api/v2/uploads.json', {
      auth: customer.auth,
      host,
      rawBody: 'x',
      headers: { 'content-type': 'application/binary' },
    });
    assertInvalid(missing, 'filename');
  });

  test('files over HAVEN_MAX_UPLOAD_BYTES are 413, empty ones 422; the limit itself is allowed', async () => {
    const atLimit = await upload(customer.auth, 'full.bin', Buffer.alloc(MAX_UPLOAD, 1));
    assert.equal(atLimit.status, 201, atLimit.text);
    assert.equal(atLimit.body.upload.attachment.size, MAX_UPLOAD);
    const over = await upload(customer.auth, 'big.bin', Buffer.alloc(MAX_UPLOAD + 1, 1));
    assert.equal(over.status, 413);
    assert.equal(over.body.error, 'RequestTooLarge');
    assert.equal(over.body.code, 'CS_BODY_TOO_LARGE');
    assertInvalid(await upload(customer.auth, 'empty.txt', ''), 'file');
    // Callers other than HTTP (mail, imports) meet the same limit as a 422 on the file.
    const actor = { userId: customer.id, accountId: acct.id, role: 'end-user' as const } as Actor;
    await assert.rejects(
      uploadFile({ db, actor, ip: null }, { fileName: 'a.txt', bytes: Buffer.from('12345'), maxBytes: 4 }),
      (err) => err instanceof HavenError && err.status === 422 && Boolean(err.details?.file),
    );
  });

  test('programs are refused by name and by content', async () => {
    for (const name of ['setup.exe', 'invoice.pdf.exe', 'RUN.BAT', 'script.js', 'macro.vbs', 'trick.cmd. ']) {
      assertInvalid(await upload(customer.auth, name, 'echo hi'), 'filename');
    }
    assertInvalid(await upload(customer.auth, 'report.pdf', peBytes()), 'file');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]);
    assertInvalid(await upload(customer.auth, 'tool', elf), 'file');
    // Archives and documents are fine.
    assert.equal((await upload(customer.auth, 'logs.zip', 'PK\x03\x04rest')).status, 201);
  });

  test('needs a signed-in user, checked before the body is read', async () => {
    for (const body of ['x', Buffer.alloc(MAX_UPLOAD + 1)]) {
      const res = await api(app, 'POST', '/api/v2/uploads.json?filename=a.txt', {
        host,
        rawBody: body,
        headers: { 'content-type': 'application/binary' },
      });
      assert.equal(res.status, 401, 'not 413: nobody unknown gets the server to read a large body');
    }
    const multipart = await upload(customer.auth, 'a.txt', 'x', {
      contentType: 'multipart/form-data; boundary=z',
    });
    assert.equal(multipart.status, 415);
  });
});

describe('images', () => {
  test('a PNG gets its dimensions and an 80-pixel thumbnail, itself an attachment', async () => {
    const res = await upload(customer.auth, 'photo.png', await png(300, 200));
    assert.equal(res.status, 201, res.text);
    const a = res.body.upload.attachment;
    assert.equal(a.content_type, 'image/png');
    assert.equal(a.width, 300);
    assert.equal(a.height, 200);
    assert.equal(a.thumbnails.length, 1);
    const thumb = a.thumbnails[0];
    assert.equal(thumb.file_name, 'photo_thumb.png');
    assert.equal(thumb.content_type, 'image/png');
    assert.equal(thumb.width, 80);
    assert.equal(thumb.height, 53);
    assert.deepEqual(thumb.thumbnails, []);
    assert.equal(thumb.malware_scan_result, 'not_scanned');
    assert.notEqual(thumb.id, a.id);
    assert.equal(res.body.upload.attachments.length, 1, 'thumbnails are not files of the upload');

    const bytes = await download(thumb.content_url, customer.auth);
    assert.equal(bytes.status, 200);
    assert.equal(bytes.headers.get('content-type'), 'image/png');
    const meta = await sharp(bytes.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 80, 53]);
    assert.equal(Number(bytes.headers.get('content-length')), thumb.size);

    const original = await download(a.content_url, customer.auth);
    assert.match(original.headers.get('content-disposition') ?? '', /^inline; filename="?photo\.png"?/);
    assert.equal(original.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(original.headers.get('cache-control'), 'private, no-cache');
    const etag = original.headers.get('etag')!;
    const revalidated = await fetchUrl(a.content_url, customer.auth, { 'if-none-match': etag });
    assert.equal(revalidated.status, 304);
    assert.equal((await fetchUrl(a.content_url, stranger.auth, { 'if-none-match': etag })).status, 404);

    const shown = await fetchUrl(thumb.url, customer.auth);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.attachment, thumb);

    // Signed out, a browser following the link is sent to sign in and brought back.
    const u = new URL(a.content_url);
    const signedOut = await api(app, 'GET', `${u.pathname}${u.search}`, { host });
    assert.equal(signedOut.status, 302);
    assert.equal(
      signedOut.headers.get('location'),
      `/sign_in?return_to=${encodeURIComponent(`${u.pathname}${u.search}`)}`,
    );
  });

  test('JPEG, GIF and WebP get thumbnails; a small image is not enlarged', async () => {
    const base = sharp({ create: { width: 40, height: 120, channels: 3, background: '#cc3300' } });
    for (const [name, bytes, type] of [
      ['a.jpg', await base.clone().jpeg().toBuffer(), 'image/jpeg'],
      ['b.gif', await base.clone().gif().toBuffer(), 'image/gif'],
      ['c.webp', await base.clone().webp().toBuffer(), 'image/webp'],
    ] as const) {
      const res = await upload(customer.auth, name, bytes);
      const a = res.body.upload.attachment;
      assert.equal(a.content_type, type, name);
      assert.deepEqual([a.width, a.height], [40, 120], name);
      assert.deepEqual([a.thumbnails[0].width, a.thumbnails[0].height], [27, 80], name);
    }
    const unnamed = await upload(customer.auth, 'screenshot', await png(30, 30));
    assert.equal(unnamed.body.upload.attachment.content_type, 'image/png', 'the bytes decide, not the name');
    assert.equal(unnamed.body.upload.attachment.thumbnails.length, 1);
    const small = await upload(customer.auth, 'tiny.png', await png(20, 10));
    assert.deepEqual(
      [small.body.upload.attachment.thumbnails[0].width, small.body.upload.attachment.thumbnails[0].height],
      [20, 10],
    );
  });

  test('a file named like an image that is not one is a plain download, never inline', async () => {
    const res = await upload(customer.auth, 'fake.png', '<html><script>alert(1)</script></html>');
    const a = res.body.upload.attachment;
    assert.equal(a.width, null);
    assert.deepEqual(a.thumbnails, []);
    const got = await download(a.content_url, customer.auth);
    assert.match(got.headers.get('content-disposition') ?? '', /^attachment;/);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  });

  test('HTML and SVG are served as downloads in a sandbox, never inline', async () => {
    for (const [name, body, type] of [
      ['page.html', '<html><script>alert(1)</script></html>', 'text/html'],
      [
        'logo.svg',
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>alert(1)</script></svg>',
        'image/svg+xml',
      ],
    ]) {
      const res = await upload(customer.auth, name!, body!);
      const a = res.body.upload.attachment;
      assert.equal(a.content_type, type);
      assert.equal(a.width, null, `${name} is not decoded`);
      const got = await download(a.content_url, customer.auth);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), type);
      assert.match(
        got.headers.get('content-disposition') ?? '',
        new RegExp(`^attachment; filename="?${name}"?`),
      );
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
      assert.match(got.headers.get('content-security-policy') ?? '', /sandbox/);
    }
  });
});

describe('uploads before a comment uses them', () => {
  test('only the uploader sees or deletes them', async () => {
    const res = await upload(customer.auth, 'private.txt', 'mine');
    const a = res.body.upload.attachment;
    const shown = await fetchUrl(a.url, customer.auth);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.attachment, a);
    for (const who of [stranger.auth, agent.auth, acct.auth]) {
      assert.equal((await fetchUrl(a.url, who)).status, 404);
      assert.equal((await download(a.content_url, who)).status, 404);
    }
    const otherHost = `${other.subdomain}.haven.test`;
    const path = new URL(a.content_url);
    for (const p of [`/api/v2/attachments/${a.id}.json`, `${path.pathname}${path.search}`]) {
      const cross = await api(app, 'GET', p, { auth: other.auth, host: otherHost });
      assert.equal(cross.status, 404, `${p}: ${cross.text}`);
      assert.ok(!cross.text.includes('mine'));
    }
    const token = res.body.upload.token;
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/uploads/${token}.json`, { auth: stranger.auth, host })).status,
      404,
    );
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/uploads/${token}.json`, { auth: other.auth, host: otherHost }))
        .status,
      404,
    );
    assert.equal((await fetchUrl(a.url, customer.auth)).status, 200, 'still there');
  });

  test('DELETE /uploads/{token} removes the upload, its files and their bytes', async () => {
    const first = await upload(customer.auth, 'a.png', await png(100, 100));
    const token = first.body.upload.token;
    await upload(customer.auth, 'b.txt', 'b', { token });
    const before = await storedFileCount();
    const res = await api(app, 'DELETE', `/api/v2/uploads/${token}.json`, {
      auth: customer.auth,
      host,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 204, res.text);
    assert.equal(await storedFileCount(), before - 3, 'image, thumbnail and text file');
    assert.equal((await fetchUrl(first.body.upload.attachment.url, customer.auth)).status, 404);
    assert.equal((await download(first.body.upload.attachment.content_url, customer.auth)).status, 404);
    assert.equal(
      (await api(app, 'DELETE', `/api/v2/uploads/${token}`, { auth: customer.auth, host })).status,
      404,
    );
    assertInvalid(await upload(customer.auth, 'c.txt', 'c', { token }), 'token');
  });

  test('the expiry job deletes uploads nobody used within the hour, and only those', async () => {
    const stale = await upload(customer.auth, 'stale.png', await png(50, 50));
    const fresh = await upload(customer.auth, 'fresh.txt', 'fresh');
    const used = await upload(customer.auth, 'used.txt', 'used');
    const target = await ticketWithComment({ public: true, authorId: customer.id });
    await claimUploads(db, [used.body.upload.token], { ...target, authorId: customer.id });
    await db
      .updateTable('attachments')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('upload_token', '=', stale.body.upload.token)
      .execute();
    const before = await storedFileCount();
    const job = moduleJobs(app.runtime.services.database.db, app.runtime.services).find(
      (j) => j.name === 'attachments.expire-uploads',
    );
    assert.ok(job?.cron, 'the job is scheduled');
    await job.handler({}, { id: 'test' });
    assert.equal(await storedFileCount(), before - 2, 'the image and its thumbnail');
    assert.equal((await fetchUrl(stale.body.upload.attachment.url, customer.auth)).status, 404);
    assert.equal((await fetchUrl(fresh.body.upload.attachment.url, customer.auth)).status, 200);
    assert.equal((await fetchUrl(used.body.upload.attachment.url, customer.auth)).status, 200);
  });
});

describe('claimUploads and comment attachments', () => {
  test('attaches every file of the uploads to the comment, once', async () => {
    const first = await upload(customer.auth, 'screen.png', await png(120, 90));
    const token = first.body.upload.token;
    const second = await upload(customer.auth, 'log.txt', 'error 42', { token });
    const other = await upload(customer.auth, 'more.txt', 'more');
    const target = await ticketWithComment({ public: true, authorId: customer.id });
    const ids = await claimUploads(db, [token, other.body.upload.token, token], {
      ...target,
      authorId: customer.id,
    });
    assert.deepEqual(ids, [
      first.body.upload.attachment.id,
      second.body.upload.attachment.id,
      other.body.upload.attachment.id,
    ]);
    const map = await attachmentsForComments(db, [target.commentId, target.commentId + 1000]);
    assert.deepEqual([...map.keys()], [target.commentId]);
    const files = map.get(target.commentId)!;
    assert.deepEqual(
      files.map((f) => f.id),
      ids,
    );
    assert.equal(files[0]!.thumbnails.length, 1);
    assert.equal(files[0]!.thumbnails[0]!.parent_id, ids[0]);
    assert.deepEqual(await attachmentsForComments(db, []), new Map());

    // A used token is gone: it can neither be claimed again nor extended.
    await assert.rejects(
      claimUploads(db, [token], { ...target, authorId: customer.id }),
      (err) => err instanceof HavenError && err.status === 422 && Boolean(err.details?.uploads),
    );
    assertInvalid(await upload(customer.auth, 'late.txt', 'late', { token }), 'token');
  });

  test('unknown, expired or another uploader’s tokens are a 422 on uploads, and nothing is claimed', async () => {
    const target = await ticketWithComment({ public: true, authorId: customer.id });
    const mine = await upload(customer.auth, 'mine.txt', 'mine');
    const theirs = await upload(stranger.auth, 'theirs.txt', 'theirs');
    const expired = await upload(customer.auth, 'old.txt', 'old');
    await db
      .updateTable('attachments')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('upload_token', '=', expired.body.upload.token)
      .execute();
    for (const bad of ['no-such-token', theirs.body.upload.token, expired.body.upload.token]) {
      await assert.rejects(
        db.transaction((tx) =>
          claimUploads(tx, [mine.body.upload.token, bad], { ...target, authorId: customer.id }),
        ),
        (err) =>
          err instanceof HavenError &&
          err.status === 422 &&
          err.details?.uploads?.[0]?.description === `Upload token ${bad} is not valid` &&
          err.details.uploads[0].error === 'InvalidValue',
      );
    }
    assert.equal((await attachmentsForComments(db, [target.commentId])).size, 0);
    // System-made comments (no author) may claim any live upload of the account.
    assert.deepEqual(await claimUploads(db, [theirs.body.upload.token], { ...target, authorId: null }), [
      theirs.body.upload.attachment.id,
    ]);
    assert.deepEqual(await claimUploads(db, [mine.body.upload.token], { ...target, authorId: customer.id }), [
      mine.body.upload.attachment.id,
    ]);
  });

  test('a comment’s files are visible to whoever may see the ticket; internal notes’ files not to end-users', async () => {
    const publicFile = await upload(agent.auth, 'public.txt', 'for the customer');
    const noteFile = await upload(agent.auth, 'note.txt', 'agents only');
    const publicComment = await ticketWithComment({ public: true, authorId: agent.id });
    await claimUploads(db, [publicFile.body.upload.token], { ...publicComment, authorId: agent.id });
    const note = await db
      .insertInto('ticket_comments', {
        ticket_id: publicComment.ticketId,
        author_id: agent.id,
        body: 'internal',
        public: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await claimUploads(db, [noteFile.body.upload.token], {
      ticketId: publicComment.ticketId,
      commentId: note.id,
      authorId: agent.id,
    });
    const pub = publicFile.body.upload.attachment;
    const priv = noteFile.body.upload.attachment;
    for (const who of [agent.auth, acct.auth]) {
      assert.equal((await download(pub.content_url, who)).status, 200);
      assert.equal((await download(priv.content_url, who)).status, 200);
    }
    // The customer requested the ticket: the public file yes, the internal note's file no.
    assert.equal((await download(pub.content_url, customer.auth)).status, 200);
    assert.equal((await fetchUrl(pub.url, customer.auth)).status, 200);
    assert.equal((await download(priv.content_url, customer.auth)).status, 404);
    assert.equal((await fetchUrl(priv.url, customer.auth)).status, 404);
    // Another end-user sees neither.
    assert.equal((await download(pub.content_url, stranger.auth)).status, 404);
    assert.equal((await fetchUrl(pub.url, stranger.auth)).status, 404);
    // A deleted ticket hides its files.
    await db
      .updateTable('tickets')
      .set({ deleted_at: new Date() })
      .where('id', '=', publicComment.ticketId)
      .execute();
    assert.equal((await download(pub.content_url, agent.auth)).status, 404);
  });

  test('destroying a ticket deletes its files’ bytes', async () => {
    const file = await upload(customer.auth, 'gone.png', await png(60, 60));
    const target = await ticketWithComment({ public: true, authorId: customer.id });
    await claimUploads(db, [file.body.upload.token], { ...target, authorId: customer.id });
    const before = await storedFileCount();
    await db.deleteFrom('tickets').where('id', '=', target.ticketId).execute();
    assert.equal(await storedFileCount(), before - 2);
  });
});

describe('redaction', () => {
  async function attachedImage() {
    const file = await upload(customer.auth, 'secret.png', await png(200, 200));
    const target = await ticketWithComment({ public: true, authorId: customer.id });
    await claimUploads(db, [file.body.upload.token], { ...target, authorId: customer.id });
    const a = file.body.upload.attachment;
    return {
      ...target,
      a,
      path: `/api/v2/tickets/${target.ticketId}/comments/${target.commentId}/attachments/${a.id}/redact.json`,
    };
  }

  test('an agent redacts a comment attachment: the bytes go, an empty redacted.txt stays', async () => {
    const { a, path } = await attachedImage();
    const before = await storedFileCount();
    const res = await api(app, 'PUT', path, { auth: agent.auth, host });
    assert.equal(res.status, 200, res.text);
    const r = res.body.attachment;
    assert.equal(r.id, a.id);
    assert.equal(r.file_name, 'redacted.txt');
    assert.equal(r.content_type, 'text/plain');
    assert.equal(r.size, 0);
    assert.equal(r.deleted, true);
    assert.equal(r.width, null);
    assert.deepEqual(r.thumbnails, []);
    assert.equal(await storedFileCount(), before - 2, 'the image and its thumbnail');
    const got = await download(r.content_url, agent.auth);
    assert.equal(got.status, 200);
    assert.equal(got.bytes.length, 0);
    assert.match(got.headers.get('content-disposition') ?? '', /filename="?redacted\.txt"?/);
    assert.equal((await download(a.thumbnails[0].content_url, agent.auth)).status, 404);
    const shown = await fetchUrl(r.url, agent.auth);
    assert.deepEqual(shown.body.attachment, r);
    // Again: nothing changes. node-zendesk sends DELETE to the same path.
    const again = await api(app, 'DELETE', path, { auth: agent.auth, host });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.attachment, r);
  });

  test('needs an agent who can see the ticket, and ids that belong together', async () => {
    const { a, path, ticketId, commentId } = await attachedImage();
    const endUser = await api(app, 'PUT', path, { auth: customer.auth, host });
    assert.equal(endUser.status, 403);
    const elsewhere = await ticketWithComment({ public: true, authorId: customer.id });
    for (const wrong of [
      `/api/v2/tickets/${elsewhere.ticketId}/comments/${commentId}/attachments/${a.id}/redact.json`,
      `/api/v2/tickets/${ticketId}/comments/${elsewhere.commentId}/attachments/${a.id}/redact.json`,
      `/api/v2/tickets/${ticketId}/comments/${commentId}/attachments/${a.thumbnails[0].id}/redact.json`,
    ]) {
      assert.equal((await api(app, 'PUT', wrong, { auth: agent.auth, host })).status, 404, wrong);
    }
    const cross = await api(app, 'PUT', path, { auth: other.auth, host: `${other.subdomain}.haven.test` });
    assert.equal(cross.status, 404);
    // A restricted agent who may not see the ticket gets 404 too.
    const restricted = await person('Restricted', 'agent');
    await db
      .updateTable('users')
      .set({ ticket_restriction: 'assigned' })
      .where('id', '=', restricted.id)
      .execute();
    assert.equal((await api(app, 'PUT', path, { auth: restricted.auth, host })).status, 404);
    const untouched = await fetchUrl(a.url, agent.auth);
    assert.equal(untouched.body.attachment.deleted, false);
    assert.equal(untouched.body.attachment.file_name, 'secret.png');
  });
});
