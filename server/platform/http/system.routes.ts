import { migrationsApplied } from '../db/migrate.ts';
import { defineRoute, type RouteSpec, respond } from './define-route.ts';
import { HavenError } from './errors.ts';
import { buildOpenApi, renderApiReference } from './openapi.ts';
import { PAGE_HEADERS } from './pages.ts';

/** Install-level routes: liveness, readiness and the API reference. */
export function systemRoutes(allRoutes: () => RouteSpec[], version: string): RouteSpec[] {
  let doc: ReturnType<typeof buildOpenApi> | null = null;
  const openApi = () => (doc ??= buildOpenApi(allRoutes(), version));
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      auth: 'public',
      install: true,
      summary: 'Alive',
      handler: async () => respond(200, { status: 'ok' }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      auth: 'public',
      install: true,
      summary: 'Ready: the database answers and every migration is applied',
      handler: async (ctx) => {
        try {
          if (!(await migrationsApplied(ctx.services.database.db))) {
            throw new HavenError('CS_UNAVAILABLE', { description: 'Migrations are pending' });
          }
        } catch (err) {
          if (err instanceof HavenError) throw err;
          throw new HavenError('CS_UNAVAILABLE', { description: 'The database is not reachable' });
        }
        return respond(200, { status: 'ready', database: ctx.services.database.kind });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v2/openapi',
      auth: 'public',
      install: true,
      summary: 'The OpenAPI document of this API',
      handler: async () => respond(200, openApi()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/docs',
      auth: 'public',
      install: true,
      page: true,
      summary: 'The API reference page',
      handler: async () => respond(200, renderApiReference(openApi()), PAGE_HEADERS),
    }),
  ];
}
