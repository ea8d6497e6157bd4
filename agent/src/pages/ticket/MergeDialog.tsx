import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNotice, TextArea } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { ApiError, api, type JobStatus, waitForJob } from '../../lib/api.ts';
import { useDebounced } from '../../lib/debounce.ts';
import type { Ticket } from '../../lib/types.ts';
import type { TicketRecord } from './data.ts';
import { statusLabel } from './describe.ts';

/** A failed job's reason in the API's own words: the first field problem, else its description. */
function jobProblem(done: JobStatus): string {
  const r = done.results?.find((x) => x.success === false || x.error) as
    | { description?: string; details?: Record<string, { description?: string }[]> }
    | undefined;
  const field = r?.details && typeof r.details === 'object' ? Object.values(r.details).flat()[0] : undefined;
  return field?.description ?? r?.description ?? done.message ?? t('tickets.merge.failed');
}

/**
 * Merging this ticket into another, as Zendesk does: pick the target by number or search, word the comments
 * each side gets, confirm. The merge runs as a background job; when it completes we go to the target.
 */
export function MergeDialog({ ticket, onClose }: { ticket: TicketRecord; onClose: () => void }) {
  const [, navigate] = useLocation();
  const [query, setQuery] = useState('');
  const [target, setTarget] = useState<Ticket | null>(null);
  const [sourceComment, setSourceComment] = useState('');
  const [targetComment, setTargetComment] = useState('');
  const [sourcePublic, setSourcePublic] = useState(true);
  const [targetPublic, setTargetPublic] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const q = useDebounced(query.trim(), 250);
  const byNumber = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : null;
  const found = useQuery({
    queryKey: ['search', 'merge-target', q],
    enabled: q.length > 0,
    queryFn: async (): Promise<Ticket[]> => {
      if (byNumber !== null) {
        try {
          return [(await api.get<{ ticket: Ticket }>(`tickets/${byNumber}`)).ticket];
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return [];
          throw err;
        }
      }
      const r = await api.get<{ results: (Ticket & { result_type: string })[] }>('search', {
        query: `type:ticket status<closed ${q}`,
        per_page: 10,
      });
      return r.results.filter((x) => x.result_type === 'ticket');
    },
  });
  const candidates = (found.data ?? []).filter((x) => x.id !== ticket.id);

  const choose = (x: Ticket) => {
    setTarget(x);
    setSourceComment(t('tickets.merge.sourceDefault', { id: x.id, subject: x.subject ?? '' }));
    setTargetComment(t('tickets.merge.targetDefault', { id: ticket.id, subject: ticket.subject ?? '' }));
  };

  const merge = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      const { job_status } = await api.post<{ job_status: { id: string } }>(`tickets/${target.id}/merge`, {
        ids: [ticket.id],
        source_comment: sourceComment,
        target_comment: targetComment,
        source_comment_is_public: sourcePublic,
        target_comment_is_public: targetPublic,
      });
      const done = await waitForJob(job_status.id);
      const failed = done.status !== 'completed' || done.results?.some((r) => r.success === false || r.error);
      if (failed) {
        setError(new Error(jobProblem(done)));
        setBusy(false);
        return;
      }
      onClose();
      navigate(`/tickets/${target.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('tickets.merge.title')} open onClose={onClose} wide>
      <div className="merge">
        {!target ? (
          <>
            <div className="field">
              <label htmlFor="merge-target">{t('tickets.merge.targetLabel')}</label>
              <input
                id="merge-target"
                type="search"
                value={query}
                placeholder={t('tickets.merge.targetPlaceholder')}
                onChange={(e) => setQuery(e.target.value)}
              />
              <p className="hint">{t('tickets.merge.targetHint', { id: ticket.id })}</p>
            </div>
            {found.isFetching && <p className="muted">{t('tickets.loading')}</p>}
            <ErrorNotice error={found.error} />
            {q && found.data && !candidates.length && <p className="muted">{t('tickets.merge.noMatch')}</p>}
            <ul className="merge-candidates">
              {candidates.map((x) => (
                <li key={x.id}>
                  <button type="button" className="menu-item" onClick={() => choose(x)}>
                    <span className={`status status-${x.status}`}>{statusLabel(x.status)}</span> #{x.id}{' '}
                    {x.subject || t('tickets.noSubject')}
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <>
            <p>
              {t('tickets.merge.summary', {
                source: ticket.id,
                target: target.id,
                subject: target.subject ?? '',
              })}{' '}
              <button type="button" className="link-button" onClick={() => setTarget(null)}>
                {t('tickets.merge.change')}
              </button>
            </p>
            <p className="hint">{t('tickets.merge.warning', { id: ticket.id })}</p>
            <TextArea
              label={t('tickets.merge.sourceComment', { id: ticket.id })}
              value={sourceComment}
              rows={3}
              onChange={(e) => setSourceComment(e.target.value)}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={sourcePublic}
                onChange={(e) => setSourcePublic(e.target.checked)}
              />
              {t('tickets.merge.requesterSees')}
            </label>
            <TextArea
              label={t('tickets.merge.targetComment', { id: target.id })}
              value={targetComment}
              rows={3}
              onChange={(e) => setTargetComment(e.target.value)}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={targetPublic}
                onChange={(e) => setTargetPublic(e.target.checked)}
              />
              {t('tickets.merge.requesterSees')}
            </label>
            <ErrorNotice error={error} />
            <div className="dialog-actions">
              <button type="button" className="button" onClick={onClose} disabled={busy}>
                {t('tickets.cancel')}
              </button>
              <button type="button" className="button primary" onClick={merge} disabled={busy}>
                {busy ? t('tickets.merge.merging') : t('tickets.merge.confirm', { id: target.id })}
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
