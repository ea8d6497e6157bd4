import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { HavenError, invalid } from './errors.ts';

/** The query parameters both pagination styles read. Bracket names arrive decoded (`page[size]`). */
export const paginationQuery = z.object({
  page: z.coerce.number().int().min(1).optional(),
  per_page: z.coerce.number().int().min(1).max(100).optional(),
  'page[size]': z.coerce.number().int().min(1).max(100).optional(),
  'page[after]': z.string().optional(),
  'page[before]': z.string().optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
});
export type PaginationQuery = z.infer<typeof paginationQuery>;

export type Page<T> =
  | { style: 'offset'; rows: T[]; count: number; page: number; perPage: number }
  | {
      style: 'cursor';
      rows: T[];
      hasMore: boolean;
      afterCursor: string | null;
      beforeCursor: string | null;
      size: number;
    };

const OFFSET_LIMIT = 10_000;

/** The cursor parameters; `page[size]` is 100 when absent. */
export type CursorQuery = Pick<PaginationQuery, 'page[size]' | 'page[after]' | 'page[before]'>;

/** Record ids are integers, except a few tables keyed by text (ULIDs: webhooks and their invocations). */
type IdType = 'integer' | 'text';

function encodeCursor(id: number | string): string {
  return Buffer.from(JSON.stringify({ o: 'id', v: id })).toString('base64url');
}

function decodeCursor(cursor: string, field: string, idType: IdType): number | string {
  try {
    const { v } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (idType === 'integer' ? Number.isSafeInteger(v) : typeof v === 'string') return v;
  } catch {}
  throw invalid(field, 'is not a cursor this endpoint issued', 'InvalidCursor');
}

/**
 * Runs a list query in whichever style the client asked for: cursor when `page[size]` is present, offset
 * otherwise. Rows are ordered by `idColumn` (stable under concurrent inserts for cursors).
 */
export async function paginate<DB, TB extends keyof DB, O extends { id: number }>(
  query: SelectQueryBuilder<DB, TB, O>,
  idColumn: string,
  p: PaginationQuery,
): Promise<Page<O>> {
  const desc = p.sort_order === 'desc';
  const ref = sql.ref(idColumn);
  if (p['page[size]'] !== undefined || p['page[after]'] !== undefined || p['page[before]'] !== undefined) {
    return cursorPage(query, idColumn, p, { desc, idType: 'integer' });
  }
  const perPage = p.per_page ?? 100;
  const page = p.page ?? 1;
  if ((page - 1) * perPage >= OFFSET_LIMIT) throw new HavenError('CS_PAGINATION_LIMIT');
  const [rows, total] = await Promise.all([
    query
      .orderBy(ref as any, desc ? 'desc' : 'asc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute() as Promise<O[]>,
    (query as any)
      .clearSelect()
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirst()
      .then((r: { count: number } | undefined) => Number(r?.count ?? 0)),
  ]);
  return { style: 'offset', rows, count: total, page, perPage };
}

/**
 * One cursor page of rows ordered by `idColumn`: `page[size]` rows after `page[after]`, before
 * `page[before]`, or from the start.
 */
export async function cursorPage<DB, TB extends keyof DB, O extends { id: number | string }>(
  query: SelectQueryBuilder<DB, TB, O>,
  idColumn: string,
  p: CursorQuery,
  order: { desc: boolean; idType: IdType },
): Promise<Page<O>> {
  const { desc, idType } = order;
  const ref = sql.ref(idColumn);
  const size = p['page[size]'] ?? 100;
  const before = p['page[before]'] !== undefined;
  let q = query;
  if (p['page[after]']) {
    const after = decodeCursor(p['page[after]'], 'page[after]', idType);
    q = q.where(ref as any, desc ? '<' : '>', after);
  } else if (before) {
    const bound = decodeCursor(p['page[before]']!, 'page[before]', idType);
    q = q.where(ref as any, desc ? '>' : '<', bound);
  }
  // Walking backwards reads in the opposite order, then flips the page back.
  const forward = before ? !desc : desc;
  const rows = (await q
    .orderBy(ref as any, forward ? 'desc' : 'asc')
    .limit(size + 1)
    .execute()) as O[];
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (before) pageRows.reverse();
  const first = pageRows[0];
  const last = pageRows.at(-1);
  return {
    style: 'cursor',
    rows: pageRows,
    hasMore: before ? true : hasMore,
    afterCursor: last && (before || hasMore) ? encodeCursor(last.id) : null,
    beforeCursor: first && (p['page[after]'] || (before && hasMore)) ? encodeCursor(first.id) : null,
    size,
  };
}

/**
 * The list envelope: `{ key: [...], next_page, previous_page, count }` for offset pages, and
 * `{ key: [...], meta: { has_more, after_cursor, before_cursor }, links: { next, prev } }` for cursor pages,
 * with `links.next` null on the last page so clients stop.
 */
export function listEnvelope<T, R>(
  key: string,
  page: Page<T>,
  present: (row: T) => R,
  pageUrl: (params: Record<string, string>) => string,
): Record<string, unknown> {
  const items = page.rows.map(present);
  if (page.style === 'offset') {
    const last = Math.max(1, Math.ceil(page.count / page.perPage));
    return {
      [key]: items,
      next_page:
        page.page < last ? pageUrl({ page: String(page.page + 1), per_page: String(page.perPage) }) : null,
      previous_page:
        page.page > 1 ? pageUrl({ page: String(page.page - 1), per_page: String(page.perPage) }) : null,
      count: page.count,
    };
  }
  return {
    [key]: items,
    meta: { has_more: page.hasMore, after_cursor: page.afterCursor, before_cursor: page.beforeCursor },
    links: {
      prev: page.beforeCursor
        ? pageUrl({ 'page[before]': page.beforeCursor, 'page[size]': String(page.size) })
        : null,
      next:
        page.hasMore && page.afterCursor
          ? pageUrl({ 'page[after]': page.afterCursor, 'page[size]': String(page.size) })
          : null,
    },
  };
}
