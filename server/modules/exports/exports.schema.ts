import { z } from 'zod';
import { HavenError, invalid } from '../../platform/http/errors.ts';
import { parseCsv } from '../../platform/http/format.ts';

/** Zendesk's page size for incremental exports, and the most we return in one page. */
export const MAX_EXPORT_PAGE = 1000;

/**
 * Query parameters as strings: they are checked by hand so that a bad `start_time` says what is wrong.
 * `cursor` and `page[size]` are read by the cursor-based exports only.
 */
export const exportQuery = z.object({
  start_time: z.string().max(40).optional(),
  cursor: z.string().max(500).optional(),
  per_page: z.string().max(20).optional(),
  'page[size]': z.string().max(20).optional(),
  include: z.string().max(200).optional(),
  exclude_deleted: z.string().max(10).optional(),
});
export type ExportQuery = z.infer<typeof exportQuery>;

function badRequest(description: string): HavenError {
  return new HavenError('CS_BAD_REQUEST', { description });
}

/** `start_time`: a Unix time in whole seconds, not in the future. */
export function startTime(raw: string | undefined, now = new Date()): number {
  if (raw === undefined || raw === '' || raw === 'undefined') {
    throw badRequest('start_time is required: a Unix time in seconds, for example start_time=1332034771');
  }
  if (!/^\d{1,12}$/.test(raw)) {
    throw badRequest(
      `start_time must be a Unix time in whole seconds, for example 1332034771 (got "${raw}")`,
    );
  }
  const value = Number(raw);
  if (value > Math.floor(now.getTime() / 1000)) {
    throw invalid('start_time', 'start_time is in the future', 'InvalidValue');
  }
  return value;
}

/**
 * The page size: `per_page`, or `page[size]` (node-zendesk sends `page[size]=100` to the cursor exports),
 * 1000 when neither is given.
 */
export function pageSize(q: ExportQuery): number {
  const raw = q.per_page ?? q['page[size]'];
  if (raw === undefined || raw === '' || raw === 'undefined') return MAX_EXPORT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_EXPORT_PAGE) {
    throw badRequest(`per_page must be a whole number from 1 to ${MAX_EXPORT_PAGE}`);
  }
  return n;
}

/** node-zendesk sends `cursor=undefined` on a first page; that is no cursor. */
export function givenCursor(q: ExportQuery): string | null {
  return q.cursor && q.cursor !== 'undefined' ? q.cursor : null;
}

export function excludeDeleted(q: ExportQuery): boolean {
  return q.exclude_deleted === 'true' || q.exclude_deleted === '1';
}

export function includes(q: ExportQuery): Set<string> {
  return new Set(parseCsv(q.include));
}

/** Where a cursor-based export stands: after the row with this exact `updated_at` (µs since epoch) and id. */
export interface CursorPosition {
  micros: number;
  id: number;
}

export function encodeExportCursor(resource: string, p: CursorPosition): string {
  return Buffer.from(JSON.stringify({ r: resource, t: p.micros, i: p.id })).toString('base64url');
}

export function decodeExportCursor(resource: string, cursor: string): CursorPosition {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (v.r === resource && Number.isSafeInteger(v.t) && Number.isSafeInteger(v.i))
      return { micros: v.t, id: v.i };
  } catch {}
  throw invalid('cursor', 'is not a cursor this export issued', 'InvalidCursor');
}
