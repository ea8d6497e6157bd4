import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound HTTP for webhooks and apps: the one way Haven calls addresses that admins type in. It refuses
 * anything but public unicast addresses (loopback, RFC 1918, link-local, CGNAT, unique-local, multicast,
 * unspecified, reserved, and IPv6 forms that embed an IPv4 address) unless the operator allows private
 * egress, and it connects to the very address it checked: the name is resolved once, checked, and handed to
 * the socket through `lookup`, so a DNS answer that changes between check and connect (rebinding) cannot
 * redirect the request. Redirects are not followed. Every request has a deadline and the response body is
 * read up to a cap.
 */
export type EgressErrorCode =
  | 'invalid_url'
  | 'invalid_request'
  | 'blocked_address'
  | 'dns'
  | 'timeout'
  | 'connection';

export class EgressError extends Error {
  constructor(
    readonly code: EgressErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EgressError';
  }
}

export interface EgressRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole request, name resolution included. */
  timeoutMs?: number;
  /** Operator setting HAVEN_ALLOW_PRIVATE_EGRESS: private and loopback destinations are allowed. */
  allowPrivate?: boolean;
  /** Bytes of the response body kept; the rest is not read. */
  maxResponseBytes?: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body was longer than `maxResponseBytes` and was cut there. */
  truncated: boolean;
  /** The address connected to. */
  address: string;
}

export const EGRESS_TIMEOUT_MS = 10_000;
export const EGRESS_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Why an address may not be called, or null when it is a public unicast address. IPv4-mapped IPv6
 * addresses (`::ffff:127.0.0.1`) are judged as the IPv4 address they carry.
 */
export function blockedRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  uniqueLocal: 'unique-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
};

function blockedMessage(host: string, address: string, range: string): string {
  const what = RANGE_NAMES[range] ?? `special-purpose (${range})`;
  const where = host === address ? address : `${host} (${address})`;
  return `${where} is a ${what} address; Haven only calls public addresses unless the operator sets HAVEN_ALLOW_PRIVATE_EGRESS=true`;
}

/** The URL's own problems (scheme, embedded credentials), before any name is resolved. */
export function egressUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not carry credentials; use authentication instead';
  if (!url.hostname) return 'has no host';
  return null;
}

interface Target {
  address: string;
  family: 4 | 6;
}

async function resolveTarget(host: string, allowPrivate: boolean): Promise<Target> {
  const literal = host.replace(/^\[|\]$/g, '');
  let candidates: dns.LookupAddress[];
  if (net.isIP(literal)) {
    candidates = [{ address: literal, family: net.isIP(literal) }];
  } else {
    try {
      candidates = await dns.promises.lookup(literal, { all: true, verbatim: true });
    } catch (err) {
      throw new EgressError(
        'dns',
        `${literal} could not be resolved (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (candidates.length === 0) throw new EgressError('dns', `${literal} has no address`);
  if (allowPrivate) return candidates[0] as Target;
  const allowed = candidates.find((c) => blockedRange(c.address) === null);
  if (allowed) return allowed as Target;
  const first = candidates[0]!;
  throw new EgressError(
    'blocked_address',
    blockedMessage(literal, first.address, blockedRange(first.address)!),
  );
}

/**
 * The address to connect to for `host` under the egress rules (for protocols other than HTTP, such as IMAP):
 * the name is resolved once and checked; connect to the returned address. Rejects with an EgressError.
 */
export async function resolveEgressAddress(host: string, allowPrivate: boolean): Promise<string> {
  return (await resolveTarget(host, allowPrivate)).address;
}

/** A `lookup` that answers only the address already checked, in whichever form the socket asks for. */
function pinnedLookup(target: Target): net.LookupFunction {
  return ((_host: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as net.LookupFunction;
}

/** Sends one request under the egress rules; resolves with the response or rejects with an EgressError. */
export async function egressRequest(request: EgressRequest): Promise<EgressResponse> {
  const problem = egressUrlProblem(request.url);
  if (problem) throw new EgressError('invalid_url', `The URL ${problem}`);
  const url = new URL(request.url);
  const timeoutMs = request.timeoutMs ?? EGRESS_TIMEOUT_MS;
  const maxBytes = request.maxResponseBytes ?? EGRESS_MAX_RESPONSE_BYTES;

  let timer: NodeJS.Timeout | undefined;
  let onTimeout: () => void = () => {};
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new EgressError('timeout', `No complete response within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  deadline.catch(() => {});
  try {
    const target = await Promise.race([resolveTarget(url.hostname, request.allowPrivate === true), deadline]);
    const send = new Promise<EgressResponse>((resolve, reject) => {
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers: Record<string, string> = { ...request.headers, host: url.host };
      if (body) headers['content-length'] = String(body.length);
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      const options: https.RequestOptions = {
        method: request.method,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        lookup: pinnedLookup(target),
        // A fresh connection per request: a pooled socket would skip the check above.
        agent: false,
      };
      if (url.protocol === 'https:' && !net.isIP(hostname)) options.servername = hostname;
      let req: http.ClientRequest;
      try {
        req = (url.protocol === 'https:' ? https : http).request(options, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let truncated = false;
          const finish = () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(res.headers)
                  .filter(([, v]) => v !== undefined)
                  .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
              truncated,
              address: target.address,
            });
          res.on('data', (chunk: Buffer) => {
            if (truncated) return;
            const room = maxBytes - size;
            if (chunk.length > room) {
              chunks.push(chunk.subarray(0, room));
              size = maxBytes;
              truncated = true;
              finish();
              res.destroy();
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', finish);
          res.on('error', (err) => reject(connectionError(err)));
        });
      } catch (err) {
        // Node refuses a header it cannot send (a character outside Latin-1, a line break): the request is wrong.
        reject(new EgressError('invalid_request', (err as Error).message));
        return;
      }
      onTimeout = () => req.destroy();
      req.on('error', (err) => reject(connectionError(err)));
      req.end(body);
    });
    return await Promise.race([send, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function connectionError(err: Error): EgressError {
  if (err instanceof EgressError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new EgressError('connection', code ? `${code}: ${err.message}` : err.message);
}
