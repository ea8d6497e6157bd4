import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useRef, useState } from 'react';
import { Link } from 'wouter';
import { Select } from '../../../components/forms.tsx';
import { type MessageKey, t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { AdminTable, Loaded, labelOr, ProblemList, problemsOf, SectionHeader } from '../ui.tsx';
import { RowButton, StatusText, When } from './shared.tsx';

/** A mail Haven sent (or is to send): `GET /api/v2/email/deliveries`. */
interface Delivery {
  id: number | string;
  status: string;
  to: string | string[];
  subject: string | null;
  ticket_id: number | null;
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

/** A mail Haven received: `GET /api/v2/email/inbound`. */
interface Received {
  id: number | string;
  status: string;
  cause: string | null;
  from: { address: string | null; name: string | null } | null;
  subject: string | null;
  ticket_id: number | null;
  attempts: number;
  last_error: string | null;
  received_at: string;
}

interface Page {
  meta?: { has_more?: boolean; after_cursor?: string | null };
  links?: { next?: string | null };
}

type Tab = 'sent' | 'received';

/** A line of either log, as its table shows it. */
interface LogRow {
  id: number | string;
  status: string;
  /** Why it was not answered, and the like: in words. */
  note: string | null;
  last_error: string | null;
  /** To whom it went, or from whom it came. */
  party: string;
  subject: string | null;
  ticket_id: number | null;
  attempts: number;
  at: string | null;
  retryable: boolean;
}

/** What sets one log apart: where the API lists it, its statuses, its wording and how an entry reads. */
interface Log {
  path: string;
  /** The key of the list in the API's answer. */
  list: string;
  area: 'outbound' | 'inbound';
  statuses: string[];
  party: MessageKey;
  empty: MessageKey;
  /** An entry of the API's list (a `Delivery` or a `Received`, by the log) as a line of the table. */
  row: (entry: never) => LogRow;
}

const LOGS: Record<Tab, Log> = {
  sent: {
    path: 'email/deliveries',
    list: 'deliveries',
    area: 'outbound',
    statuses: ['waiting', 'queued', 'sent', 'failed', 'suppressed', 'bounced'],
    party: 'email.log.to',
    empty: 'email.log.emptySent',
    row: (d: Delivery) => ({
      ...d,
      note: null,
      party: Array.isArray(d.to) ? d.to.join(', ') : d.to,
      at: d.sent_at ?? d.created_at,
      retryable: d.status === 'failed' || d.status === 'waiting',
    }),
  },
  received: {
    path: 'email/inbound',
    list: 'inbound_emails',
    area: 'inbound',
    statuses: ['received', 'processed', 'suspended', 'ignored', 'duplicate', 'failed'],
    party: 'email.log.from',
    empty: 'email.log.emptyReceived',
    row: (m: Received) => ({
      ...m,
      note: m.cause && labelOr(`email.log.causes.${m.cause}`, m.cause),
      party: m.from?.name && m.from.address ? `${m.from.name} <${m.from.address}>` : (m.from?.address ?? ''),
      at: m.received_at,
      retryable: m.status === 'failed',
    }),
  },
};

/** The email log: what Haven sent and what it received, each with its attempts, and a retry for failures. */
export default function LogSection() {
  const [tab, setTab] = useState<Tab>('sent');
  const tabs: Tab[] = ['sent', 'received'];
  const refs = useRef(new Map<Tab, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next =
      e.key === 'Home' ? 'sent' : e.key === 'End' ? 'received' : tab === 'sent' ? 'received' : 'sent';
    setTab(next);
    refs.current.get(next)?.focus();
  };
  return (
    <>
      <SectionHeader title={t('email.log.title')} intro={t('email.log.intro')} />
      <div role="tablist" aria-label={t('email.log.tabs')} className="email-tabs" onKeyDown={onKeyDown}>
        {tabs.map((id) => (
          <button
            key={id}
            ref={(el) => {
              if (el) refs.current.set(id, el);
            }}
            type="button"
            role="tab"
            id={`email-log-tab-${id}`}
            aria-selected={tab === id}
            aria-controls="email-log-panel"
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
          >
            {t(`email.log.${id}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="email-log-panel" aria-labelledby={`email-log-tab-${tab}`}>
        <LogTable key={tab} tab={tab} />
      </div>
    </>
  );
}

/** A cursor-paged list: `page[size]`, then `page[after]` from `meta.after_cursor` or `links.next`. */
function usePaged(log: Log, filters: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: ['admin', 'email-log', log.path, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<Page & Record<string, never[]>>(log.path, {
        'page[size]': 50,
        'page[after]': pageParam ?? undefined,
        ...filters,
      }),
    getNextPageParam: (last) => {
      if (!last.meta?.has_more) return null;
      if (last.meta.after_cursor) return last.meta.after_cursor;
      const next = last.links?.next;
      return next ? new URL(next, location.origin).searchParams.get('page[after]') : null;
    },
    select: (data) => data.pages.flatMap((p) => (p[log.list] ?? []).map(log.row)),
    refetchInterval: 10_000,
  });
}

function useRetry(path: string) {
  const queryClient = useQueryClient();
  const [done, setDone] = useState('');
  const retry = useMutation({
    mutationFn: (id: number | string) => api.post(`${path}/${id}/retry`),
    onSuccess: () => {
      setDone(t('email.log.retried'));
      queryClient.invalidateQueries({ queryKey: ['admin', 'email-log', path] });
    },
  });
  return { retry, done };
}

/** One log: its status filter, its entries newest first with a retry where one can help, and "show more". */
function LogTable({ tab }: { tab: Tab }) {
  const log = LOGS[tab];
  const [status, setStatus] = useState('');
  const entries = usePaged(log, status ? { status } : {});
  const { retry, done } = useRetry(log.path);
  const list = entries.data ?? [];
  return (
    <>
      <div className="email-filters">
        <Select
          label={t('email.log.filterStatus')}
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          options={[
            { value: '', label: t('email.log.allStatuses') },
            ...log.statuses.map((s) => ({ value: s, label: t(`email.log.${log.area}.${s}` as MessageKey) })),
          ]}
        />
      </div>
      <p className="visually-hidden" role="status">
        {done}
      </p>
      <ProblemList problems={retry.error ? problemsOf(retry.error, []).other : []} />
      <Loaded error={entries.error} loading={!entries.data} empty={!list.length && t(log.empty)}>
        <AdminTable
          caption={t(`email.log.${tab}`)}
          columns={[
            t('email.log.status'),
            t(log.party),
            t('email.log.subject'),
            t('email.log.ticket'),
            t('email.log.attempts'),
            t('email.log.when'),
          ]}
        >
          {list.map((r) => (
            <tr key={r.id}>
              <td>
                <StatusText area={`log.${log.area}`} status={r.status} />
                {r.note && <div className="muted admin-sub">{r.note}</div>}
                {r.last_error && <div className="email-error admin-sub">{r.last_error}</div>}
              </td>
              <td>{r.party}</td>
              <td>{r.subject}</td>
              <td>
                {r.ticket_id ? (
                  <Link href={`/tickets/${r.ticket_id}`}>{t('email.log.onTicket', { id: r.ticket_id })}</Link>
                ) : (
                  '—'
                )}
              </td>
              <td>{r.attempts}</td>
              <td>
                <When iso={r.at} />
              </td>
              <td className="admin-row-actions">
                {r.retryable && (
                  <RowButton
                    label={t('email.log.retry')}
                    name={t('email.log.retryFor', { name: r.subject ?? String(r.id) })}
                    disabled={retry.isPending}
                    onClick={() => retry.mutate(r.id)}
                  />
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
        {entries.hasNextPage && (
          <button
            type="button"
            className="button"
            disabled={entries.isFetchingNextPage}
            onClick={() => entries.fetchNextPage()}
          >
            {t('email.log.more')}
          </button>
        )}
      </Loaded>
    </>
  );
}
