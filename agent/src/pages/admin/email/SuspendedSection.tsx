import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { Dialog } from '../../../components/Dialog.tsx';
import { plural, t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { formatDate } from '../../../lib/format.ts';
import { AdminTable, ConfirmDialog, Loaded, ProblemList, problemsOf, SectionHeader } from '../ui.tsx';
import { RowButton, When } from './shared.tsx';

interface SuspendedTicket {
  id: number;
  author: { name: string | null; email: string | null } | null;
  subject: string | null;
  content: string | null;
  cause: string;
  created_at: string;
  ticket_id: number | null;
}

const listKey = ['admin', 'suspended-tickets'] as const;

const nameOf = (s: SuspendedTicket) => s.subject || t('email.suspended.noSubject');
const fromOf = (s: SuspendedTicket) =>
  s.author?.name && s.author.email
    ? `${s.author.name} <${s.author.email}>`
    : (s.author?.email ?? s.author?.name ?? '');

/** Mail Haven kept back for review: read it, recover it into a ticket, or delete it; one or many at once. */
export default function SuspendedSection() {
  const queryClient = useQueryClient();
  const suspended = useQuery({
    queryKey: listKey,
    queryFn: () =>
      api
        .get<{ suspended_tickets: SuspendedTicket[] }>('suspended_tickets', { 'page[size]': 100 })
        .then((r) => r.suspended_tickets),
  });
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [reading, setReading] = useState<SuspendedTicket | null>(null);
  const [deleting, setDeleting] = useState<number[] | null>(null);
  const [notice, setNotice] = useState('');
  const list = suspended.data ?? [];
  const chosen = list.filter((s) => selected.has(s.id)).map((s) => s.id);
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });
  const recover = useMutation({
    mutationFn: (ids: number[]) =>
      ids.length === 1
        ? api.put(`suspended_tickets/${ids[0]}/recover`)
        : api.put('suspended_tickets/recover_many', undefined, { ids: ids.join(',') }),
    onSuccess: (_, ids) => {
      setNotice(plural('email.suspended.recovered', ids.length));
      setSelected(new Set());
      setReading(null);
      refresh();
    },
  });
  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allSelected = list.length > 0 && chosen.length === list.length;
  return (
    <>
      <SectionHeader
        title={t('email.suspended.title')}
        intro={t('email.suspended.intro')}
        actions={
          <button type="button" className="button" onClick={() => suspended.refetch()}>
            {t('email.refresh')}
          </button>
        }
      />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      {notice && <p className="muted">{notice}</p>}
      <ProblemList problems={recover.error ? problemsOf(recover.error, []).other : []} />
      <Loaded
        error={suspended.error}
        loading={!suspended.data}
        empty={!list.length && t('email.suspended.empty')}
      >
        <div className="email-bulk">
          <span>{plural('email.suspended.selected', chosen.length)}</span>
          <button
            type="button"
            className="button"
            disabled={!chosen.length || recover.isPending}
            onClick={() => recover.mutate(chosen)}
          >
            {t('email.suspended.recoverSelected')}
          </button>
          <button
            type="button"
            className="button danger"
            disabled={!chosen.length}
            onClick={() => setDeleting(chosen)}
          >
            {t('email.suspended.deleteSelected')}
          </button>
        </div>
        <AdminTable
          caption={t('email.suspended.title')}
          lead={
            <input
              type="checkbox"
              className="email-check"
              aria-label={t('email.suspended.selectAll')}
              checked={allSelected}
              onChange={(e) => setSelected(e.target.checked ? new Set(list.map((s) => s.id)) : new Set())}
            />
          }
          columns={[
            t('email.suspended.from'),
            t('email.suspended.subject'),
            t('email.suspended.cause'),
            t('email.suspended.received'),
          ]}
        >
          {list.map((s) => (
            <tr key={s.id}>
              <td>
                <input
                  type="checkbox"
                  className="email-check"
                  aria-label={t('email.suspended.select', { name: nameOf(s) })}
                  checked={selected.has(s.id)}
                  onChange={(e) => toggle(s.id, e.target.checked)}
                />
              </td>
              <td>{fromOf(s)}</td>
              <td>
                {nameOf(s)}
                {s.ticket_id && (
                  <div className="admin-sub">
                    <Link href={`/tickets/${s.ticket_id}`}>
                      {t('email.suspended.onTicket', { id: s.ticket_id })}
                    </Link>
                  </div>
                )}
              </td>
              <td>{s.cause}</td>
              <td>
                <When iso={s.created_at} />
              </td>
              <td className="admin-row-actions">
                <RowButton
                  label={t('email.suspended.open')}
                  name={t('email.suspended.openFor', { name: nameOf(s) })}
                  onClick={() => setReading(s)}
                />
                <RowButton
                  label={t('email.suspended.recover')}
                  name={t('email.suspended.recoverFor', { name: nameOf(s) })}
                  disabled={recover.isPending}
                  onClick={() => recover.mutate([s.id])}
                />
                <RowButton
                  danger
                  label={t('shell.delete')}
                  name={t('email.suspended.deleteFor', { name: nameOf(s) })}
                  onClick={() => setDeleting([s.id])}
                />
              </td>
            </tr>
          ))}
        </AdminTable>
      </Loaded>
      <Dialog
        title={reading ? nameOf(reading) : ''}
        open={reading !== null}
        onClose={() => setReading(null)}
        wide
      >
        {reading && (
          <>
            <p>
              <strong>{t('email.suspended.from')}:</strong> {fromOf(reading)}
              <br />
              <strong>{t('email.suspended.cause')}:</strong> {reading.cause}
              <br />
              <strong>{t('email.suspended.received')}:</strong> {formatDate(reading.created_at)}
            </p>
            <div className="email-content card">{reading.content}</div>
            <div className="admin-form-actions">
              <button
                type="button"
                className="button primary"
                disabled={recover.isPending}
                onClick={() => recover.mutate([reading.id])}
              >
                {t('email.suspended.recover')}
              </button>
              <button type="button" className="button" onClick={() => setReading(null)}>
                {t('shell.close')}
              </button>
            </div>
          </>
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title={plural('email.suspended.deleteTitle', deleting?.length ?? 0)}
        message={<p>{t('email.suspended.deleteMessage')}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const ids = deleting!;
          if (ids.length === 1) await api.delete(`suspended_tickets/${ids[0]}`);
          else await api.delete('suspended_tickets/destroy_many', { ids: ids.join(',') });
          setNotice(plural('email.suspended.deleted', ids.length));
          setSelected(new Set());
          await refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
