import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { ErrorNotice } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useGroups } from '../../lib/queries.ts';
import type { Group } from '../../lib/types.ts';
import { BulkBar } from './BulkBar.tsx';
import type { BulkOutcome } from './bulk.ts';
import { TicketList } from './TicketList.tsx';
import { countText, ViewSidebar } from './ViewSidebar.tsx';
import {
  type Cursor,
  defaultOrder,
  executeOptions,
  idsIn,
  type Sort,
  useActiveViews,
  useOrganizations,
  usePeople,
  useViewCounts,
} from './viewData.ts';
import './views.css';

interface Paging {
  cursor: Cursor;
  page: number;
}
const FIRST: Paging = { cursor: {}, page: 1 };

export default function ViewsPage() {
  const params = useParams<{ id?: string }>();
  const [, navigate] = useLocation();
  const active = useActiveViews();
  const views = active.data ?? [];
  const viewId = params.id ? Number(params.id) : null;
  const counts = useViewCounts(views.map((v) => v.id));

  // /views opens the first active view.
  useEffect(() => {
    if (viewId === null && views[0]) navigate(`/views/${views[0].id}`, { replace: true });
  }, [viewId, views, navigate]);

  return (
    <div className="views-page">
      <ViewSidebar views={views} counts={counts.data} currentId={viewId} />
      <div className="views-main">
        {active.error ? <ErrorNotice error={active.error} /> : null}
        {viewId !== null && Number.isSafeInteger(viewId) ? (
          <ViewTickets
            viewId={viewId}
            title={views.find((v) => v.id === viewId)?.title}
            count={countText(counts.data?.get(viewId))}
          />
        ) : viewId !== null ? (
          <p className="page-error">{t('shell.errors.notFound')}</p>
        ) : active.isPending ? (
          <p className="loading">{t('views.loading')}</p>
        ) : null}
      </div>
    </div>
  );
}

/**
 * One view: its heading, the bulk bar, the list and its pages. Switching views keeps this mounted, so the
 * previous view's rows stay on screen (dimmed) for the moment the next one takes to arrive, when it was
 * not already cached or prefetched.
 */
function ViewTickets({
  viewId,
  title: listedTitle,
  count,
}: {
  viewId: number;
  title: string | undefined;
  count: ReturnType<typeof countText>;
}) {
  const queryClient = useQueryClient();
  const [sort, setSort] = useState<Sort>({});
  const [paging, setPaging] = useState<Paging>(FIRST);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [cursorId, setCursorId] = useState<number | null>(null);
  const [running, setRunning] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const subjects = useRef(new Map<number, string>()).current;
  const sectionRef = useRef<HTMLElement>(null);
  // Another page starts at its top, as a new page would.
  const turnPage = (next: (p: Paging) => Paging) => {
    setPaging(next);
    sectionRef.current?.scrollIntoView({ block: 'start' });
  };
  const currentView = useRef(viewId);
  currentView.current = viewId;
  const [shownView, setShownView] = useState(viewId);
  if (shownView !== viewId) {
    // Another view: its own sort, first page, no selection.
    setShownView(viewId);
    setSort({});
    setPaging(FIRST);
    setSelected(new Set());
    setCursorId(null);
    setOutcome(null);
    setRunError(null);
  }

  const query = useQuery({
    ...executeOptions(viewId, sort, paging.cursor),
    placeholderData: keepPreviousData,
  });
  const data = query.data;
  const rows = data?.rows ?? [];
  const columnIds = (data?.columns ?? []).map((c) => c.id);
  for (const row of rows) subjects.set(row.ticket_id, row.ticket.subject ?? '');

  const people = usePeople(idsIn(rows, columnIds, 'person'));
  const organizations = useOrganizations(idsIn(rows, columnIds, 'org'));
  const groups = useGroups();
  const groupMap = useMemo(
    () => new Map<number, Group>((groups.data ?? []).map((g) => [g.id, g])),
    [groups.data],
  );

  // A page emptied by others (tickets solved or moved away) steps back to the first page.
  useEffect(() => {
    if (data && !query.isPlaceholderData && rows.length === 0 && paging.page > 1) setPaging(FIRST);
  }, [data, query.isPlaceholderData, rows.length, paging.page]);

  const effectiveSort = {
    by: sort.by ?? data?.view.execution.sort_by ?? 'updated',
    order: sort.order ?? data?.view.execution.sort_order ?? 'desc',
  } as const;

  const onSort = (column: string) => {
    const order =
      effectiveSort.by === column ? (effectiveSort.order === 'asc' ? 'desc' : 'asc') : defaultOrder(column);
    setSort({ by: column, order });
    setPaging(FIRST);
  };

  const run = (ids: number[], work: () => Promise<BulkOutcome>) => {
    setOutcome(null);
    setRunError(null);
    setRunning(ids.length);
    const startedIn = viewId;
    work()
      .then((result) => {
        if (currentView.current !== startedIn) return;
        setOutcome(result);
        const failedIds = result.failures.some((f) => f.id === null)
          ? ids
          : result.failures.map((f) => f.id as number);
        setSelected(new Set(failedIds));
      })
      .catch((err) => {
        if (currentView.current === startedIn) setRunError(err);
      })
      .finally(() => {
        setRunning(null);
        void queryClient.invalidateQueries({ queryKey: ['views'] });
      });
  };

  const notFound = query.error instanceof ApiError && query.error.status === 404;
  const title = listedTitle ?? (query.isPlaceholderData ? '' : (data?.view.title ?? ''));
  const hasMore = Boolean(data?.meta?.has_more && data.meta.after_cursor);

  if (notFound) return <p className="page-error">{t('shell.errors.notFound')}</p>;

  return (
    <section className="views-list" aria-labelledby="view-title" ref={sectionRef}>
      <header className="views-header">
        <h1 id="view-title">{title || '\u00a0'}</h1>
        {count && (
          <span className="pill" title={count.label}>
            <span aria-hidden="true">{count.short}</span>
            <span className="visually-hidden">{count.label}</span>
          </span>
        )}
        {query.isPlaceholderData && <span className="muted views-refreshing">{t('views.refreshing')}</span>}
      </header>

      {selected.size > 0 && (
        <BulkBar
          selected={[...selected]}
          subjects={subjects}
          running={running !== null}
          onRun={run}
          onClear={() => setSelected(new Set())}
        />
      )}

      <div className="views-status" role="status">
        {running !== null && (
          <p className="views-progress">
            <progress aria-label={t('views.bulk.progress')} />
            {plural('views.bulk.working', running)}
          </p>
        )}
        {outcome && <OutcomeMessage outcome={outcome} onDismiss={() => setOutcome(null)} />}
      </div>
      <ErrorNotice error={runError} />

      {query.error && !data ? (
        <div>
          <ErrorNotice error={query.error} />
          <button type="button" className="button" onClick={() => query.refetch()}>
            {t('views.retry')}
          </button>
        </div>
      ) : !data ? (
        <p className="loading">{t('views.loading')}</p>
      ) : (
        <>
          <div className={query.isPlaceholderData ? 'views-table-wrap stale' : 'views-table-wrap'}>
            <TicketList
              viewId={viewId}
              viewTitle={title}
              columns={data.columns}
              rows={rows}
              sort={effectiveSort}
              onSort={onSort}
              people={people.data}
              groups={groupMap}
              organizations={organizations.data}
              selected={selected}
              onSelect={setSelected}
              cursorId={cursorId}
              onCursor={setCursorId}
              busy={query.isPlaceholderData}
            />
            {rows.length === 0 && !query.isPlaceholderData && (
              <p className="views-empty muted">{t('views.empty')}</p>
            )}
          </div>
          {(paging.page > 1 || hasMore) && (
            <nav className="views-pages toolbar" aria-label={t('views.pagination.label')}>
              <button
                type="button"
                className="button"
                disabled={paging.page <= 1 || !data.meta?.before_cursor}
                onClick={() =>
                  turnPage((p) =>
                    p.page <= 2
                      ? FIRST
                      : { cursor: { before: data.meta?.before_cursor ?? undefined }, page: p.page - 1 },
                  )
                }
              >
                {t('views.pagination.previous')}
              </button>
              <span>{t('views.pagination.page', { page: paging.page })}</span>
              <button
                type="button"
                className="button"
                disabled={!hasMore}
                onClick={() =>
                  turnPage((p) => ({
                    cursor: { after: data.meta?.after_cursor ?? undefined },
                    page: p.page + 1,
                  }))
                }
              >
                {t('views.pagination.next')}
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}

function OutcomeMessage({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss: () => void }) {
  const failed = outcome.failures.length > 0;
  return (
    <div className={failed ? 'views-outcome failed' : 'views-outcome'}>
      {outcome.done > 0 && (
        <p>
          {outcome.kind === 'merged'
            ? plural('views.bulk.merged', outcome.done, { target: outcome.target ?? '' })
            : plural(`views.bulk.${outcome.kind}`, outcome.done)}
        </p>
      )}
      {failed && (
        <>
          <p>
            {outcome.done > 0
              ? t('views.bulk.partial', { done: outcome.done, total: outcome.total })
              : t('views.bulk.failed')}
          </p>
          <ul>
            {outcome.failures.map((f) => (
              <li key={`${f.id ?? 'all'}:${f.message}`}>
                {f.id === null ? f.message : t('views.bulk.failedTicket', { id: f.id, message: f.message })}
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" className="link-button" onClick={onDismiss}>
        {t('views.bulk.dismiss')}
      </button>
    </div>
  );
}
