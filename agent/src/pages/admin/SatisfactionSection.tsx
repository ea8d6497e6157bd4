import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { Select } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useUsers } from '../../lib/queries.ts';
import { AdminTable, Loaded, labelOr, SectionHeader } from './ui.tsx';

interface Rating {
  id: number;
  ticket_id: number;
  requester_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  score: string;
  comment: string | null;
  reason?: string | null;
  reason_code?: number | null;
  reason_id?: number | null;
  created_at: string;
  updated_at: string;
}

interface Reason {
  id: number;
  reason_code: number;
  value: string;
  deleted?: boolean;
}

const FILTERS = ['received', 'good', 'bad', 'offered', ''] as const;

const scoreLabel = (score: string) => labelOr(`admin.satisfaction.scores.${score}`, score);

/** Customer satisfaction: the ratings requesters gave solved tickets, newest first, with their comments. */
export default function SatisfactionSection() {
  const [score, setScore] = useState<(typeof FILTERS)[number]>('received');
  const ratings = useQuery({
    queryKey: ['admin', 'satisfaction_ratings', score],
    queryFn: () =>
      api
        .get<{ satisfaction_ratings: Rating[] }>('satisfaction_ratings', {
          score: score || undefined,
          per_page: 100,
          sort_order: 'desc',
        })
        .then((r) => [...r.satisfaction_ratings].sort((a, b) => b.created_at.localeCompare(a.created_at))),
  });
  const reasons = useQuery({
    queryKey: ['admin', 'satisfaction_reasons'],
    queryFn: () => api.get<{ reasons: Reason[] }>('satisfaction_reasons').then((r) => r.reasons),
    staleTime: 5 * 60_000,
  });
  const list = ratings.data ?? [];
  const people = useUsers(list.flatMap((r) => [r.requester_id, r.assignee_id]));
  const person = (id: number | null) =>
    id === null ? '—' : (people.data?.get(id)?.name ?? t('tickets.history.unknownUser', { id }));
  const reasonText = (r: Rating) => {
    if (r.score !== 'bad') return '';
    const code = r.reason_code ?? null;
    const known = reasons.data?.find(
      (x) => (code !== null && x.reason_code === code) || x.id === r.reason_id,
    );
    return known?.value ?? r.reason ?? '';
  };
  const good = list.filter((r) => r.score === 'good').length;
  const bad = list.filter((r) => r.score === 'bad').length;

  return (
    <>
      <SectionHeader title={t('admin.satisfaction.title')} intro={t('admin.satisfaction.intro')} />
      <div className="admin-csat-bar">
        <Select
          label={t('admin.satisfaction.show')}
          value={score}
          onChange={(e) => setScore(e.target.value as (typeof FILTERS)[number])}
          options={FILTERS.map((f) => ({ value: f, label: t(`admin.satisfaction.filters.${f || 'all'}`) }))}
        />
        {ratings.data && score === 'received' && good + bad > 0 && (
          <p className="admin-csat-score" role="status">
            {t('admin.satisfaction.summary', {
              percent: Math.round((good / (good + bad)) * 100),
              good,
              bad,
            })}
          </p>
        )}
      </div>
      <Loaded
        error={ratings.error}
        loading={!ratings.data}
        empty={!list.length && t('admin.satisfaction.empty')}
      >
        <p className="visually-hidden" role="status">
          {plural('admin.satisfaction.count', list.length)}
        </p>
        <AdminTable
          caption={t('admin.satisfaction.title')}
          columns={[
            t('admin.satisfaction.when'),
            t('admin.satisfaction.ticket'),
            t('admin.satisfaction.score'),
            t('admin.satisfaction.comment'),
            t('admin.satisfaction.requester'),
            t('admin.satisfaction.assignee'),
          ]}
        >
          {list.map((r) => (
            <tr key={r.id}>
              <td title={formatDate(r.created_at)}>{timeAgo(r.created_at)}</td>
              <td>
                <Link href={`/tickets/${r.ticket_id}`}>#{r.ticket_id}</Link>
              </td>
              <td>
                <span className={`csat csat-${r.score}`}>{scoreLabel(r.score)}</span>
              </td>
              <td>
                {r.comment ? (
                  <q className="admin-csat-comment">{r.comment}</q>
                ) : (
                  <span className="muted">—</span>
                )}
                {reasonText(r) && (
                  <div className="muted admin-sub">
                    {t('admin.satisfaction.reason', { reason: reasonText(r) })}
                  </div>
                )}
              </td>
              <td>{person(r.requester_id)}</td>
              <td>{person(r.assignee_id)}</td>
              <td />
            </tr>
          ))}
        </AdminTable>
      </Loaded>
      {reasons.data && reasons.data.length > 0 && (
        <section className="admin-csat-reasons" aria-labelledby="csat-reasons">
          <h2 id="csat-reasons">{t('admin.satisfaction.reasons')}</h2>
          <p className="muted">{t('admin.satisfaction.reasonsIntro')}</p>
          <ul>
            {reasons.data
              .filter((r) => !r.deleted)
              .map((r) => (
                <li key={r.id}>{r.value}</li>
              ))}
          </ul>
        </section>
      )}
    </>
  );
}
