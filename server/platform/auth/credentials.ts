/** What a request presents to prove who it is, before any lookup. */
export type Credentials =
  | { kind: 'api_token'; email: string; token: string }
  | { kind: 'password'; email: string; password: string }
  | { kind: 'oauth'; token: string }
  | { kind: 'session'; token: string }
  | { kind: 'malformed' }
  | { kind: 'none' };

export const SESSION_COOKIE = 'haven_session';

export function parseCredentials(
  authorization: string | undefined,
  sessionCookie: string | undefined,
): Credentials {
  if (authorization) {
    const [scheme, ...rest] = authorization.trim().split(/\s+/);
    const value = rest.join(' ');
    if (/^basic$/i.test(scheme!) && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return { kind: 'malformed' };
      const user = decoded.slice(0, colon);
      const secret = decoded.slice(colon + 1);
      if (!secret) return { kind: 'malformed' };
      if (user.toLowerCase().endsWith('/token'))
        return { kind: 'api_token', email: user.slice(0, -6), token: secret };
      return { kind: 'password', email: user, password: secret };
    }
    if (/^bearer$/i.test(scheme!) && value) return { kind: 'oauth', token: value };
    return { kind: 'malformed' };
  }
  if (sessionCookie) return { kind: 'session', token: sessionCookie };
  return { kind: 'none' };
}
