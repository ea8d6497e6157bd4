import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineRoute, type Responded } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { PAGE_HEADERS, renderErrorPage } from '../../platform/http/pages.ts';
import { WORKSPACE_DIST } from '../../platform/http/workspace-files.ts';

/**
 * The agent workspace: a single-page app built by Vite into agent/dist, served by Haven itself. Every data
 * call it makes goes through /api/v2 and the realtime gateway; these routes only hand out its files.
 */

/** The app may run its own bundled scripts and talk to its own origin (API and socket); nothing else. */
const APP_HEADERS = {
  ...PAGE_HEADERS,
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'none'; " +
    "base-uri 'none'; form-action 'self'",
};

let indexHtml: string | null = null;
/** The app's page, read once per process (a rebuild ships with a restart); null while it is not built. */
function readIndex(): string | null {
  if (indexHtml === null) {
    try {
      indexHtml = fs.readFileSync(path.join(WORKSPACE_DIST, 'index.html'), 'utf8');
    } catch {
      return null;
    }
  }
  return indexHtml;
}

function appShell(ctx: { maybeActor: { role: string } | null; req: { url: string } }): Responded {
  if (!ctx.maybeActor) {
    return {
      status: 303,
      headers: {
        location: `/sign_in?return_to=${encodeURIComponent(ctx.req.url)}`,
        'cache-control': 'no-store',
      },
    };
  }
  if (ctx.maybeActor.role === 'end-user') throw new HavenError('CS_FORBIDDEN');
  const html = readIndex();
  if (html === null) {
    return {
      status: 503,
      headers: PAGE_HEADERS,
      body: renderErrorPage(
        'Workspace not built',
        'The agent workspace has not been built on this server. Run `npm run build` (npm ci runs it), then restart Haven.',
      ),
    };
  }
  return { status: 200, headers: APP_HEADERS, body: html };
}

export const workspaceRoutes = [
  defineRoute({
    method: 'GET',
    url: '/agent',
    auth: 'public',
    page: true,
    summary: 'The agent workspace (signed-in agents and admins)',
    handler: async (ctx) => appShell(ctx),
  }),
  defineRoute({
    method: 'GET',
    url: '/agent/*',
    auth: 'public',
    page: true,
    summary: 'Any screen of the agent workspace (the app routes in the browser)',
    handler: async (ctx) => appShell(ctx),
  }),
  defineRoute({
    method: 'GET',
    url: '/agent/assets/:file',
    auth: 'public',
    page: true,
    summary: "The workspace's scripts and styles (content-hashed, cached for a year)",
    params: z.object({ file: z.string().regex(/^[\w.-]+\.(js|css|svg|png|woff2)$/) }),
    handler: async (ctx) => {
      // Checked first so a missing file's 404 never carries the year-long caching below.
      if (!fs.existsSync(path.join(WORKSPACE_DIST, 'assets', ctx.params.file)))
        throw new HavenError('CS_ROUTE_NOT_FOUND');
      ctx.reply.header('cache-control', 'public, max-age=31536000, immutable');
      ctx.reply.header('x-content-type-options', 'nosniff');
      await ctx.reply.sendFile(ctx.params.file, path.join(WORKSPACE_DIST, 'assets'));
      return undefined;
    },
  }),
];
