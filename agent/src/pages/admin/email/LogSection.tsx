import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useRef, useState } from 'react';
import { Link } from 'wouter';
import { Select } from '../../../components/forms.tsx';
import { t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { formatDate, timeAgo } from '../../../lib/format.ts';
import { Loaded, labelOr, ProblemList, problemsOf, SectionHeader } from '../ui.tsx';
import { StatusText } from './shared.tsx';

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

const OUTBOUND = ['waiting', 'queued', 'sent', 'failed', 'suppressed', 'bounced'];
const INBOUND = ['received', 'processed', 'suspended', 'ignored', 'duplicate', 'failed'];

type Tab = 'sent' | 'received';

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
        {tab === 'sent' ? <SentLog key="sent" /> : <ReceivedLog key="received" />}
      </div>
    </>
  );
}

/** A cursor-paged list: `page[size]`, then `page[after]` from `meta.after_cursor` or `links.next`. */
function usePaged<T>(path: string, name: string, filters: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: ['admin', 'email-log', path, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<Page & Record<string, T[]>>(path, {
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
    select: (data) => data.pages.flatMap((p) => (p[name] as T[] | undefined) ?? []),
    refetchInterval: 10_000,
  });
}

function StatusFilter({
  value,
  onChange,
  statuses,
  area,
}: {
  value: string;
  onChange: (value: string) => void;
  statuses: string[];
  area: 'outbound' | 'inbound';
}) {
  return (
    <div className="email-filters">
      <Select
        label={t('email.log.filterStatus')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        options={[
          { value: '', label: t('email.log.allStatuses') },
          ...statuses.map((s) => ({ value: s, label: t(`email.log.${area}.${s}` as 'email.log.sent') })),
        ]}
      />
    </div>
  );
}

function TicketLink({ id }: { id: number | null }) {
  return id ? <Link href={`/tickets/${id}`}>{t('email.log.onTicket', { id })}</Link> : <>—</>;
}

function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {timeAgo(iso)}
    </time>
  );
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

function SentLog() {
  const [status, setStatus] = useState('');
  const log = usePaged<Delivery>('email/deliveries', 'deliveries', status ? { status } : {});
  const { retry, done } = useRetry('email/deliveries');
  const list = log.data ?? [];
  return (
    <>
      <StatusFilter value={status} onChange={setStatus} statuses={OUTBOUND} area="outbound" />
      <p className="visually-hidden" role="status">
        {done}
      </p>
      <ProblemList problems={retry.error ? problemsOf(retry.error, []).other : []} />
      <Loaded error={log.error} loading={!log.data} empty={!list.length && t('email.log.emptySent')}>
        <div className="admin-table-wrap">
          <table className="data admin-table">
            <caption className="visually-hidden">{t('email.log.sent')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('email.log.status')}</th>
                <th scope="col">{t('email.log.to')}</th>
                <th scope="col">{t('email.log.subject')}</th>
                <th scope="col">{t('email.log.ticket')}</th>
                <th scope="col">{t('email.log.attempts')}</th>
                <th scope="col">{t('email.log.when')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>
                    <StatusText area="log.outbound" status={d.status} />
                    {d.last_error && <div className="email-error admin-sub">{d.last_error}</div>}
                  </td>
                  <td>{Array.isArray(d.to) ? d.to.join(', ') : d.to}</td>
                  <td>{d.subject}</td>
                  <td>
                    <TicketLink id={d.ticket_id} />
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    <When iso={d.sent_at ?? d.created_at} />
                  </td>
                  <td className="admin-row-actions">
                    {(d.status === 'failed' || d.status === 'waiting') && (
                      <button
                        type="button"
                        className="button"
                        disabled={retry.isPending}
                        onClick={() => retry.mutate(d.id)}
                        aria-label={t('email.log.retryFor', { name: d.subject ?? String(d.id) })}
                      >
                        {t('email.log.retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {log.hasNextPage && (
          <button
            type="button"
            className="button"
            disabled={log.isFetchingNextPage}
            onClick={() => log.fetchNextPage()}
          >
            {t('email.log.more')}
          </button>
        )}
      </Loaded>
    </>
  );
}

function ReceivedLog() {
  const [status, setStatus] = useState('');
  const log = usePaged<Received>('email/inbound', 'inbound_emails', status ? { status } : {});
  const { retry, done } = useRetry('email/inbound');
  const list = log.data ?? [];
  return (
    <>
      <StatusFilter value={status} onChange={setStatus} statuses={INBOUND} area="inbound" />
      <p className="visually-hidden" role="status">
        {done}
      </p>
      <ProblemList problems={retry.error ? problemsOf(retry.error, []).other : []} />
      <Loaded error={log.error} loading={!log.data} empty={!list.length && t('email.log.emptyReceived')}>
        <div className="admin-table-wrap">
          <table className="data admin-table">
            <caption className="visually-hidden">{t('email.log.received')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('email.log.status')}</th>
                <th scope="col">{t('email.log.from')}</th>
                <th scope="col">{t('email.log.subject')}</th>
                <th scope="col">{t('email.log.ticket')}</th>
                <th scope="col">{t('email.log.attempts')}</th>
                <th scope="col">{t('email.log.when')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.id}>
                  <td>
                    <StatusText area="log.inbound" status={m.status} />
                    {m.cause && (
                      <div className="muted admin-sub">{labelOr(`email.log.causes.${m.cause}`, m.cause)}</div>
                    )}
                    {m.last_error && <div className="email-error admin-sub">{m.last_error}</div>}
                  </td>
                  <td>
                    {m.from?.name && m.from.address
                      ? `${m.from.name} <${m.from.address}>`
                      : (m.from?.address ?? '')}
                  </td>
                  <td>{m.subject}</td>
                  <td>
                    <TicketLink id={m.ticket_id} />
                  </td>
                  <td>{m.attempts}</td>
                  <td>
                    <When iso={m.received_at} />
                  </td>
                  <td className="admin-row-actions">
                    {m.status === 'failed' && (
                      <button
                        type="button"
                        className="button"
                        disabled={retry.isPending}
                        onClick={() => retry.mutate(m.id)}
                        aria-label={t('email.log.retryFor', { name: m.subject ?? String(m.id) })}
                      >
                        {t('email.log.retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {log.hasNextPage && (
          <button
            type="button"
            className="button"
            disabled={log.isFetchingNextPage}
            onClick={() => log.fetchNextPage()}
          >
            {t('email.log.more')}
          </button>
        )}
      </Loaded>
    </>
  );
}
