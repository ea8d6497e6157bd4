import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A new random credential: 40 URL-safe characters (240 bits). Shown once, stored only as its digest. */
export function newToken(): string {
  return randomBytes(30).toString('base64url');
}

/** Credentials are long and random, so a plain SHA-256 digest is enough to store them (no slow hash needed). */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenHint(token: string): string {
  return token.slice(-4);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// argon2id with the library's defaults (m=19 MiB, t=2, p=1): about 5 ms per hash on this class of machine.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    // Same cost as a real check, so timing does not tell which emails have passwords.
    await hash(password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export const PASSWORD_MIN_LENGTH = 10;
