import { z } from 'zod';
import type { RouteSpec } from './define-route.ts';
import { escapeHtml, renderPage } from './pages.ts';

const AUTH_TEXT: Record<string, string> = {
  public: 'No sign-in needed',
  end_user: 'Any signed-in user',
  agent: 'Agents and admins',
  admin: 'Admins only',
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApi(routes: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    // The document is the `/api/` surface; endpoints for other machines (mail providers posting raw MIME to
    // `/email/inbound`) are described in their own docs.
    if (r.page || r.install || !r.url.startsWith('/api/')) continue;
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags ?? [],
      'x-haven-auth': r.auth,
      description: `Who may call it: ${AUTH_TEXT[r.auth]}. The path also answers with a \`.json\` suffix.`,
      security: r.auth === 'public' ? [] : [{ basic: [] }, { bearer: [] }, { session: [] }],
      parameters,
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } }
        : {}),
      responses: {
        ...Object.fromEntries(
          Object.entries(r.responses ?? { 200: { description: 'OK' } }).map(([code, res]) => [
            code,
            {
              description: res.description,
              ...(res.schema ? { content: { 'application/json': { schema: jsonSchema(res.schema) } } } : {}),
            },
          ]),
        ),
        ...(r.auth === 'public' ? {} : { 401: { $ref: '#/components/responses/Unauthorized' } }),
        ...(r.body ? { 422: { $ref: '#/components/responses/Invalid' } } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Haven API',
      version,
      description:
        'Zendesk Support API v2 conventions: resource-keyed envelopes, integer ids, offset and cursor pagination, Zendesk error bodies.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: '`email/token:API_TOKEN` or `email:password`' },
        bearer: { type: 'http', scheme: 'bearer' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'haven_session',
          description: 'Unsafe methods also need X-CSRF-Token',
        },
      },
      responses: {
        Unauthorized: { description: '`{"error":"Couldn\'t authenticate you"}`' },
        Invalid: {
          description: '`{"error":"RecordInvalid","description":…,"details":{field:[{description,error}]}}`',
        },
      },
    },
    paths,
  };
}

/** A readable reference page rendered on the server from the OpenAPI document. */
export function renderApiReference(doc: ReturnType<typeof buildOpenApi>): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods) as [string, any][]) {
      const tag = op.tags[0] ?? 'Other';
      const params = (op.parameters as any[])
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> <small>(${p.in}${p.required ? ', required' : ''})</small></li>`,
        )
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      const html = `<section id="${escapeHtml(`${method}-${path}`)}"><h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)}. <em>${escapeHtml(op.description)}</em></p>${params ? `<ul>${params}</ul>` : ''}${body}</section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const toc = [...byTag.keys()]
    .map((t) => `<li><a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a></li>`)
    .join('');
  const sections = [...byTag.entries()]
    .map(([t, ops]) => `<h2 id="tag-${escapeHtml(t)}">${escapeHtml(t)}</h2>${ops.join('')}`)
    .join('');
  return renderPage(
    'API reference',
    `<h1>Haven API reference</h1><p class="lead">${escapeHtml(doc.info.description)} Machine-readable: <a href="/api/v2/openapi.json">/api/v2/openapi.json</a>.</p>
<p>Authenticate with Basic <code>email/token:API_TOKEN</code>, Basic <code>email:password</code>, or <code>Authorization: Bearer TOKEN</code>.</p>
<nav aria-label="Sections"><ul>${toc}</ul></nav>${sections}`,
    { wide: true },
  );
}
