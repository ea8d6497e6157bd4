import { ErrorNotice } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import type { Audit } from '../../lib/types.ts';
import { type TicketBundle, useAudits } from './data.ts';
import { describeAudit, type Names, type RuleVia, ruleOf, userIdsIn } from './describe.ts';
import { useNames } from './names.ts';

/** Audits as a list: who changed what, when and through which channel, newest first. */
export function AuditList({ audits, names }: { audits: Audit[]; names: Names }) {
  return (
    <ol className="audit-list">
      {audits.map((a) => {
        const lines = describeAudit(a, names);
        if (!lines.length) return null;
        const rule = ruleOf(a.via as RuleVia);
        return (
          <li key={a.id}>
            <p className="audit-head">
              <strong>
                {a.author_id
                  ? names.user(a.author_id)
                  : rule
                    ? t(rule.kind === 'trigger' ? 'tickets.history.trigger' : 'tickets.history.automation', {
                        title: rule.title,
                      })
                    : t('tickets.history.system')}
              </strong>{' '}
              <time className="muted" dateTime={a.created_at} title={formatDate(a.created_at)}>
                {timeAgo(a.created_at)}
              </time>{' '}
              {a.author_id && rule ? (
                <span className="muted">
                  {t(
                    rule.kind === 'trigger' ? 'tickets.history.viaTrigger' : 'tickets.history.viaAutomation',
                    {
                      title: rule.title,
                    },
                  )}
                </span>
              ) : (
                !rule && <span className="muted">{t('tickets.history.via', { channel: a.via.channel })}</span>
              )}
            </p>
            <ul>
              {lines.map((line, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: lines of one audit never reorder
                <li key={i}>{line}</li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

export function History({ bundle }: { bundle: TicketBundle }) {
  const audits = useAudits(bundle.ticket.id, true);
  const names = useNames(userIdsIn(audits.data ?? []), bundle);
  if (audits.isLoading) return <p className="loading">{t('tickets.loading')}</p>;
  if (audits.error) return <ErrorNotice error={audits.error} />;
  return (
    <div className="history">
      <h2 className="visually-hidden">{t('tickets.history.title')}</h2>
      <AuditList audits={[...(audits.data ?? [])].reverse()} names={names} />
    </div>
  );
}
