import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import type { HavenConfig } from '../../config.ts';
import type { Actor } from '../auth/authenticate.ts';
import type { CommandContext } from '../commands.ts';
import type { TenantDb } from '../db/tenant-db.ts';
import type { Services } from '../services.ts';
import type { Account } from '../tenancy/accounts-directory.ts';
import { listEnvelope, type Page } from './pagination.ts';

/** Every route says who may call it; start-up refuses a route that does not. */
export type AuthMode = 'public' | 'end_user' | 'agent' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: FastifyRequest;
  reply: FastifyReply;
  services: Services;
  requestId: string;
  /** Truncated client IP. */
  ip: string | null;
  /** The account the request is for; 404 when the host names none. */
  readonly account: Account;
  readonly maybeAccount: Account | null;
  /** The signed-in user; 401 when there is none. */
  readonly actor: Actor;
  readonly maybeActor: Actor | null;
  /** The tenant-scoped database handle for this request's account. */
  readonly db: TenantDb;
  /** Absolute URL on the origin the client called, for `url`, `next_page` and `Location`. */
  url(path: string): string;
}

export interface Responded {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<P = any, Q = any, B = any> {
  method: HttpMethod;
  url: string;
  auth: AuthMode;
  summary: string;
  tags?: string[];
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  responses?: Record<number, { description: string; schema?: ZodType }>;
  /** HTML pages and form posts: left out of the OpenAPI document and answered with pages, not JSON errors. */
  page?: boolean;
  /** Install-level routes (health, API docs) answer without resolving an account. */
  install?: boolean;
  /**
   * The body is a file: the handler gets its raw bytes as a Buffer whatever Content-Type the client sent,
   * up to HAVEN_MAX_UPLOAD_BYTES, and the caller is authenticated before any of it is read.
   */
  rawBody?: boolean;
  /** For `rawBody` routes: the body's size limit when it is not HAVEN_MAX_UPLOAD_BYTES (413 beyond). */
  rawBodyLimit?: (config: HavenConfig) => number;
  /**
   * The route checks the Authorization header itself (a mail provider presenting an account's inbound secret):
   * only the account is resolved from the host, then this runs before the body is read and throws to refuse.
   */
  ownCredentials?: (req: FastifyRequest, services: Services, account: Account) => Promise<void>;
  handler(ctx: HandlerContext<P, Q, B>): Promise<Responded | undefined>;
}

export function defineRoute<P = unknown, Q = unknown, B = unknown>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}

/** A JSON answer with a status (201 for creates, 204 for deletes). */
export function respond(status: number, body?: unknown, headers?: Record<string, string>): Responded {
  return { status, body, headers };
}

/**
 * The answer to a create: 201 with the record under its key and `Location` pointing at it, as Zendesk
 * answers. For create_or_update, `wasCreated: false` gives a plain 200.
 */
export function created(key: string, record: { url: string }, wasCreated = true): Responded {
  return wasCreated
    ? respond(201, { [key]: record }, { Location: record.url })
    : respond(200, { [key]: record });
}

/** The command context of a request: its account's database handle, the signed-in actor and the truncated IP. */
export function commandContext(ctx: HandlerContext<any, any, any>): CommandContext & { actor: Actor } {
  return { db: ctx.db, actor: ctx.actor, ip: ctx.ip };
}

/** A list envelope whose next/previous links keep the request's filters, with the page parameters replaced. */
export function listBody<T>(
  ctx: HandlerContext<any, any, any>,
  key: string,
  page: Page<T>,
  path: string,
  present: (row: T) => unknown,
): Record<string, unknown> {
  const kept = Object.entries(ctx.query as Record<string, unknown>).filter(
    ([k, v]) => typeof v === 'string' && !k.startsWith('page') && k !== 'per_page',
  ) as [string, string][];
  return listEnvelope(key, page, present, (params) => {
    const q = new URLSearchParams(kept);
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    return ctx.url(`${path}?${q.toString()}`);
  });
}
