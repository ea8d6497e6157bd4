import type { Selectable } from 'kysely';
import { z } from 'zod';
import { defineRoute, respond } from '../../platform/http/define-route.ts';
import { notFound } from '../../platform/http/errors.ts';
import { idParams, recordId } from '../../platform/http/fields.ts';
import { isoTime } from '../../platform/http/format.ts';
import { listEnvelope, paginate, paginationQuery } from '../../platform/http/pagination.ts';
import type { AuditLogsTable } from './audit.tables.ts';

function presentAuditLog(a: Selectable<AuditLogsTable>, url: (path: string) => string) {
  return {
    id: a.id,
    url: url(`/api/v2/audit_logs/${a.id}.json`),
    actor_id: a.actor_id,
    source_id: a.source_id,
    source_type: a.source_type,
    source_label: a.source_label,
    action: a.action,
    change_description: a.change_description,
    ip_address: a.ip_address,
    created_at: isoTime(a.created_at),
  };
}

const listQuery = paginationQuery.extend({
  'filter[source_type]': z.string().optional(),
  'filter[action]': z.string().optional(),
  'filter[actor_id]': recordId.optional(),
  'filter[source_id]': recordId.optional(),
});

export const auditRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/audit_logs',
    auth: 'admin',
    tags: ['Audit logs'],
    summary: 'Security- and privacy-relevant actions in this account (newest first by default)',
    query: listQuery,
    handler: async (ctx) => {
      let q = ctx.db.selectFrom('audit_logs').selectAll();
      const f = ctx.query;
      if (f['filter[source_type]']) q = q.where('source_type', '=', f['filter[source_type]']);
      if (f['filter[action]']) q = q.where('action', '=', f['filter[action]']);
      if (f['filter[actor_id]']) q = q.where('actor_id', '=', f['filter[actor_id]']);
      if (f['filter[source_id]']) q = q.where('source_id', '=', f['filter[source_id]']);
      const page = await paginate(q, 'audit_logs.id', { ...f, sort_order: f.sort_order ?? 'desc' });
      const keep = Object.entries(f).filter(([k, v]) => k.startsWith('filter[') && v !== undefined) as [
        string,
        string,
      ][];
      return respond(
        200,
        listEnvelope(
          'audit_logs',
          page,
          (a) => presentAuditLog(a, ctx.url),
          (p) =>
            ctx.url(
              `/api/v2/audit_logs.json?${new URLSearchParams([...keep.map(([k, v]) => [k, String(v)]), ...Object.entries(p)])}`,
            ),
        ),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/audit_logs/:id',
    auth: 'admin',
    tags: ['Audit logs'],
    summary: 'Show an audit log entry',
    params: idParams,
    handler: async (ctx) => {
      const row = await ctx.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('id', '=', ctx.params.id)
        .executeTakeFirst();
      if (!row) throw notFound();
      return respond(200, { audit_log: presentAuditLog(row, ctx.url) });
    },
  }),
];
