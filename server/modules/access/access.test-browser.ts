import assert from 'node:assert/strict';
import http from 'node:http';
import type { ApiResponse, TestApp } from '../../../test/harness.ts';

/** For tests of the server-rendered access pages: a tiny browser that keeps cookies and sends a Host. */
export interface Browser {
  cookies: Map<string, string>;
  host?: string;
}

export interface PageResponse extends ApiResponse {
  setCookies: string[];
}

function cookieHeader(b: Browser): string {
  return [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** A tiny cookie-keeping browser: fetch with redirects left to the test, Set-Cookie applied. */
export async function browse(
  app: TestApp,
  b: Browser,
  method: string,
  path: string,
  options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
): Promise<PageResponse> {
  const headers: Record<string, string> = { accept: 'text/html,application/json', ...options.headers };
  if (b.cookies.size) headers.cookie = cookieHeader(b);
  if (b.host) headers.host = b.host;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  // node:http rather than fetch: fetch will not send a custom Host header.
  const { status, responseHeaders, text } = await new Promise<{
    status: number;
    responseHeaders: Headers;
    text: string;
  }>((resolve, reject) => {
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = http.request(`${app.baseUrl}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
        }
        resolve({
          status: res.statusCode ?? 0,
          responseHeaders: h,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
  const setCookies = responseHeaders.getSetCookie();
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0/i.test(c)) b.cookies.delete(name);
    else b.cookies.set(name, value);
  }
  let parsed: any = text;
  if ((responseHeaders.get('content-type') ?? '').includes('application/json') && text)
    parsed = JSON.parse(text);
  return { status, headers: responseHeaders, body: parsed, text, setCookies };
}

export function hiddenToken(html: string): string {
  const m = html.match(/name="authenticity_token" value="([^"]+)"/);
  assert.ok(m, 'the form carries a hidden authenticity_token');
  return m[1]!;
}
