import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { ZodType } from 'zod';
import { csrfMatches } from '../auth/authenticate.ts';
import { parseCredentials, SESSION_COOKIE } from '../auth/credentials.ts';
import { truncateIp } from '../logging/redact.ts';
import type { Services } from '../services.ts';
import type { RequestState } from './context.ts';
import type { AuthMode, HandlerContext, Responded, RouteSpec } from './define-route.ts';
import { HavenError } from './errors.ts';
import { renderErrorPage } from './pages.ts';
import { WORKSPACE_DIST } from './workspace-files.ts';
import { zodDetails } from './zod-details.ts';

const ROLE_RANK = { 'end-user': 1, agent: 2, admin: 3 } as const;
const REQUIRED_RANK: Record<AuthMode, number> = { public: 0, end_user: 1, agent: 2, admin: 3 };
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the Fastify app: conventions shared by every route, then the routes themselves. */
export async function buildHttpApp(services: Services, routes: RouteSpec[]): Promise<FastifyInstance> {
  const { config, logger } = services;
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // Every route also answers with a `.json` suffix, as Zendesk clients send it.
    // Only the path's suffix: a query value ending in `.json` (`external_id=x.json`) is left alone.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^([^?]*)\.json(?=$|\?)/, '$1'),
    // node-zendesk joins some paths with a double slash (`/api/v2//webhooks/test`).
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // On SIGTERM the listener stops taking connections; a request already on an open connection (its body
    // perhaps still arriving) is served rather than answered 503, so nothing a client sent is cut off.
    return503OnClosing: false,
  });

  await app.register(cookie);
  await app.register(formbody);
  // Files are sent by routes that check access first (`reply.sendFile`); nothing is served by path alone.
  // Pre-compressed .br/.gz siblings written at build time are preferred when the client accepts them.
  await app.register(fastifyStatic, {
    root: WORKSPACE_DIST,
    serve: false,
    preCompressed: true,
    // Each route says how long its files may be cached.
    cacheControl: false,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new HavenError('CS_RATE_LIMITED', {
        description: `Rate limit of ${ctx.max} requests per minute exceeded; retry after ${Math.ceil(ctx.ttl / 1000)} seconds`,
      }),
  });

  // Zendesk clients send `Content-Type: application/json` on bodiless DELETEs; an empty body is no body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '' || (body as string).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new HavenError('CS_INVALID_JSON'), undefined);
    }
  });

  app.decorateRequest('haven', null);
  app.addHook('onResponse', async (req, reply) => {
    if (req.url === '/healthz' || req.url === '/readyz') return;
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: truncateIp(req.ip),
      },
      'request',
    );
  });

  app.setErrorHandler((err, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    const error = new HavenError('CS_ROUTE_NOT_FOUND');
    if (req.url.startsWith('/api/')) return reply.code(404).send(error.body());
    return reply
      .code(404)
      .type('text/html')
      .send(renderErrorPage('Page not found', 'There is nothing at this address.'));
  });

  const apiLimiter =
    config.apiRateLimitPerMinute > 0
      ? app.rateLimit({
          max: config.apiRateLimitPerMinute,
          timeWindow: 60_000,
          keyGenerator: (req) => {
            const actor = req.haven?.actor;
            return actor ? `u:${actor.accountId}:${actor.userId}` : `ip:${req.ip}`;
          },
        })
      : null;

  const seen = new Set<string>();
  const fileRoutes: RouteOptions[] = [];
  for (const spec of routes) {
    if (!spec.auth || !(spec.auth in REQUIRED_RANK)) {
      throw new Error(`Route ${spec.method} ${spec.url} must declare its auth mode`);
    }
    const key = `${spec.method} ${spec.url}`;
    if (seen.has(key)) throw new Error(`Route ${key} is defined twice`);
    seen.add(key);
    const hooks = [authenticateHook(services, spec)];
    if (apiLimiter && spec.auth !== 'public' && spec.url.startsWith('/api/')) hooks.push(apiLimiter as any);
    const route: RouteOptions = {
      method: spec.method,
      url: spec.url,
      config: { spec } as Record<string, unknown>,
      handler: (req, reply) => runHandler(services, spec, req, reply),
    };
    if (spec.rawBody) {
      const bodyLimit = spec.rawBodyLimit?.(config) ?? config.maxUploadBytes;
      fileRoutes.push({ ...route, onRequest: hooks, bodyLimit });
    } else app.route({ ...route, preHandler: hooks });
  }

  // File uploads take the body as bytes whatever its Content-Type (Zendesk clients send `application/binary`,
  // or `application/json` with a binary body), with their own size limit. Their own parsers live in a child
  // context so no other route changes; callers are authenticated on arrival, before the body is read.
  await app.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const route of fileRoutes) files.route(route);
  });
  return app;
}

function authenticateHook(services: Services, spec: RouteSpec) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const state: RequestState = { account: null, actor: null };
    req.haven = state;
    if (spec.install) return;
    const target = services.accounts.classifyHost(req.headers.host);
    if (spec.ownCredentials) {
      const account = await services.auth.accountForHost(target);
      if (!account) throw new HavenError('CS_ACCOUNT_NOT_FOUND');
      state.account = account;
      return spec.ownCredentials(req, services, account);
    }
    const credentials = parseCredentials(req.headers.authorization, req.cookies[SESSION_COOKIE]);
    const ip = truncateIp(req.ip);
    try {
      Object.assign(state, await services.auth.resolve(target, credentials, ip));
    } catch (err) {
      // A stale session cookie on a page or public route is simply a signed-out visitor.
      if (credentials.kind === 'session' && err instanceof HavenError && err.code === 'CS_AUTH_REQUIRED') {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        if (spec.auth !== 'public') throw err;
        Object.assign(state, { account: await services.auth.accountForHost(target), actor: null });
      } else {
        throw err;
      }
    }
    const actor = state.actor;
    if (spec.auth === 'public') return;
    if (!actor)
      throw new HavenError('CS_AUTH_REQUIRED', {
        headers: { 'WWW-Authenticate': 'Basic realm="Web Password"' },
      });
    if (ROLE_RANK[actor.role] < REQUIRED_RANK[spec.auth]) throw new HavenError('CS_FORBIDDEN');
    if (UNSAFE.has(req.method)) {
      if (actor.scopes && !actor.scopes.includes('write')) {
        throw new HavenError('CS_FORBIDDEN', { description: 'This OAuth token is read-only' });
      }
      if (actor.method === 'session') {
        const presented =
          (req.headers['x-csrf-token'] as string | undefined) ??
          ((req.body as Record<string, unknown> | undefined)?.authenticity_token as string | undefined);
        if (!csrfMatches(actor, presented)) throw new HavenError('CS_CSRF_INVALID');
      }
    }
  };
}

async function runHandler(services: Services, spec: RouteSpec, req: FastifyRequest, reply: FastifyReply) {
  const state = req.haven!; // the authentication hook always runs first
  const params = parse(spec.params, req.params, 'params');
  const query = parse(spec.query, req.query, 'query');
  const body = spec.rawBody
    ? Buffer.isBuffer(req.body)
      ? req.body
      : Buffer.alloc(0)
    : parse(spec.body, req.body ?? {}, 'body');
  let tenantDb: ReturnType<Services['tenantDb']> | null = null;
  const origin = `${req.protocol}://${req.host}`;
  const ctx: HandlerContext<unknown, unknown, unknown> = {
    params,
    query,
    body,
    req,
    reply,
    services,
    requestId: req.id,
    ip: truncateIp(req.ip),
    get account() {
      if (!state.account) throw new HavenError('CS_ACCOUNT_NOT_FOUND');
      return state.account;
    },
    get maybeAccount() {
      return state.account;
    },
    get actor() {
      if (!state.actor) throw new HavenError('CS_AUTH_REQUIRED');
      return state.actor;
    },
    get maybeActor() {
      return state.actor;
    },
    get db() {
      tenantDb ??= services.tenantDb(ctx.account.id);
      return tenantDb;
    },
    url: (path: string) => `${origin}${path}`,
  };
  const result: Responded | undefined = await spec.handler(ctx);
  if (reply.sent) return reply;
  // Writes may have appended events; let the relay pick them up now rather than at its next poll.
  if (UNSAFE.has(req.method)) services.relay.wake();
  if (!result) return reply;
  if (result.headers) reply.headers(result.headers);
  reply.code(result.status ?? 200);
  if (result.status === 204 || result.body === undefined) return reply.send();
  return reply.send(result.body);
}

function parse(schema: ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body') {
  if (!schema) return value;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = zodDetails(parsed.error);
  if (where === 'params') throw new HavenError('CS_NOT_FOUND');
  if (where === 'query')
    throw new HavenError('CS_BAD_REQUEST', { description: 'Invalid query parameters', details });
  throw new HavenError('CS_INVALID', { details });
}

function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const error = toHavenError(err);
  if (error.status >= 500) req.log.error({ err }, 'request failed');
  if (error.headers) reply.headers(error.headers);
  // A browser app whose session ended must get a plain 401 to act on; the Basic challenge would make the
  // browser hold its request behind a username-and-password prompt instead.
  if (error.status === 401 && (req.headers['x-requested-with'] || req.cookies?.[SESSION_COOKIE]))
    reply.removeHeader('WWW-Authenticate');
  reply.code(error.status);
  const spec = (req.routeOptions.config as { spec?: RouteSpec } | undefined)?.spec;
  if (spec?.page) {
    return reply.type('text/html').send(renderErrorPage(error.body().error as string, error.message));
  }
  return reply.send(error.body());
}

function toHavenError(err: unknown): HavenError {
  if (err instanceof HavenError) return err;
  const e = err as { statusCode?: number; code?: string };
  if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new HavenError('CS_BODY_TOO_LARGE');
  if (e.statusCode === 415) return new HavenError('CS_UNSUPPORTED_MEDIA_TYPE');
  if (e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return new HavenError('CS_BAD_REQUEST');
  if (e.statusCode === 400) return new HavenError('CS_BAD_REQUEST');
  if (e.statusCode === 404) return new HavenError('CS_ROUTE_NOT_FOUND');
  // Text PostgreSQL cannot store (a NUL character in a JSON string or query value) is the client's error.
  if (e.code === '22021' || e.code === '22P05') {
    return new HavenError('CS_BAD_REQUEST', {
      description: 'The request contains characters that cannot be stored',
    });
  }
  if (e.code === '23505') {
    return new HavenError('CS_INVALID', {
      details: { base: [{ description: 'has already been taken', error: 'DuplicateValue' }] },
    });
  }
  if (e.code === '23503') {
    return new HavenError('CS_INVALID', {
      details: { base: [{ description: 'refers to a record that does not exist', error: 'InvalidValue' }] },
    });
  }
  return new HavenError('CS_INTERNAL');
}
