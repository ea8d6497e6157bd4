import { useQuery } from '@tanstack/react-query';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNotice } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import type { Viewer } from '../../lib/presence.ts';
import { initials } from './Conversation.tsx';
import { fetchAudits, type TicketBundle, ticketKeys, useAudit } from './data.ts';
import { describeAudit, userIdsIn } from './describe.ts';
import { AuditList } from './History.tsx';
import { useNames } from './names.ts';

function joinNames(names: string[]): string {
  return new Intl.ListFormat(undefined, { type: 'conjunction' }).format(names);
}

/** Who else has this ticket open, and who is writing on it, announced as it happens. */
export function PresenceBar({ viewers }: { viewers: Viewer[] }) {
  const typing = viewers.filter((v) => v.typing).map((v) => v.name);
  const viewing = viewers.filter((v) => !v.typing).map((v) => v.name);
  return (
    <div className={viewers.length ? 'presence' : 'presence empty'}>
      {viewers.length > 0 && (
        <ul className="presence-avatars" aria-hidden="true">
          {viewers.map((v) => (
            <li key={v.user_id} className={v.typing ? 'avatar typing' : 'avatar'} title={v.name}>
              {initials(v.name)}
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="presence-text">
        {typing.length > 0 && (
          <span className="typing-text">
            {typing.length === 1
              ? t('tickets.presence.typingOne', { name: typing[0]! })
              : t('tickets.presence.typingMany', { names: joinNames(typing) })}
          </span>
        )}
        {typing.length > 0 && viewing.length > 0 && ' '}
        {viewing.length > 0 && (
          <span>
            {viewing.length === 1
              ? t('tickets.presence.viewingOne', { name: viewing[0]! })
              : t('tickets.presence.viewingMany', { names: joinNames(viewing) })}
          </span>
        )}
      </p>
    </div>
  );
}

export interface OutsideUpdate {
  actorId: number | null;
  auditId: number | null;
  type: string;
}

/** "Updated by Bob just now", with what changed in plain words, after the page refreshed by itself. */
export function UpdateBanner({
  bundle,
  update,
  hasDraft,
  onDismiss,
}: {
  bundle: TicketBundle;
  update: OutsideUpdate | null;
  hasDraft: boolean;
  onDismiss: () => void;
}) {
  const audit = useAudit(bundle.ticket.id, update?.auditId ?? null);
  const names = useNames(
    [...(update?.actorId ? [update.actorId] : []), ...userIdsIn(audit.data ? [audit.data] : [])],
    bundle,
  );
  const lines = audit.data ? describeAudit(audit.data, names) : [];
  return (
    <div role="status" className="update-banner-region">
      {update && (
        <div className="update-banner">
          <p>
            <strong>
              {update.actorId
                ? t('tickets.banner.updatedBy', { name: names.user(update.actorId) })
                : t('tickets.banner.updated')}
            </strong>
            {lines.length > 0 && <span className="banner-changes"> {lines.join(' · ')}</span>}
          </p>
          {hasDraft && <p className="hint">{t('tickets.banner.draftKept')}</p>}
          <button type="button" className="link-button" onClick={onDismiss}>
            {t('tickets.banner.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * Someone else updated the ticket after this draft began: show what they did, then let the agent review
 * (reload, keep the draft) or submit anyway. The draft is never lost either way.
 */
export function ConflictDialog({
  bundle,
  since,
  meId,
  busy,
  onReview,
  onSubmitAnyway,
  onClose,
}: {
  bundle: TicketBundle;
  since: string;
  meId: number;
  busy: boolean;
  onReview: () => void;
  onSubmitAnyway: () => void;
  onClose: () => void;
}) {
  const id = bundle.ticket.id;
  const audits = useQuery({
    queryKey: [...ticketKeys.audits(id), 'since', since],
    queryFn: () => fetchAudits(id),
    staleTime: 0,
  });
  const sinceMs = Date.parse(since);
  const newer = (audits.data ?? [])
    .filter((a) => Date.parse(a.created_at) > sinceMs && a.author_id !== meId)
    .reverse();
  const names = useNames(userIdsIn(newer), bundle);
  return (
    <Dialog title={t('tickets.conflict.title')} open onClose={onClose} wide>
      <div className="conflict" role="alert">
        <p>{t('tickets.conflict.intro')}</p>
      </div>
      {audits.isLoading && <p className="loading">{t('tickets.loading')}</p>}
      <ErrorNotice error={audits.error} />
      {audits.data &&
        (newer.length ? (
          <AuditList audits={newer} names={names} />
        ) : (
          <p className="muted">{t('tickets.conflict.noDetails')}</p>
        ))}
      <p className="hint">{t('tickets.conflict.draftSafe')}</p>
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onReview} disabled={busy}>
          {t('tickets.conflict.review')}
        </button>
        <button type="button" className="button" onClick={onSubmitAnyway} disabled={busy}>
          {t('tickets.conflict.submitAnyway')}
        </button>
      </div>
    </Dialog>
  );
}
