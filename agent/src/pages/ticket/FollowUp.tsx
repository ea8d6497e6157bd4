import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNotice, fieldErrors, TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import type { TicketRecord } from './data.ts';

/**
 * A closed ticket cannot change; a follow-up is a new ticket for the same requester that links back to it
 * (`via_followup_source_id`), as Zendesk does.
 */
export function FollowUpDialog({ ticket, onClose }: { ticket: TicketRecord; onClose: () => void }) {
  const [, navigate] = useLocation();
  const [subject, setSubject] = useState(ticket.subject ?? '');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { byField, rest } = fieldErrors(error, ['subject', 'description', 'comment']);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { ticket: created } = await api.post<{ ticket: { id: number } }>('tickets', {
        ticket: {
          subject,
          requester_id: ticket.requester_id,
          comment: { body, public: true },
          via_followup_source_id: ticket.id,
          ...(ticket.group_id ? { group_id: ticket.group_id } : {}),
        },
      });
      onClose();
      navigate(`/tickets/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('tickets.followUp.title', { id: ticket.id })} open onClose={onClose} wide>
      <form onSubmit={create}>
        <TextInput
          label={t('tickets.fields.subject')}
          value={subject}
          required
          error={byField.subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <TextArea
          label={t('tickets.followUp.message')}
          hint={t('tickets.followUp.hint')}
          value={body}
          required
          rows={5}
          error={byField.description ?? byField.comment}
          onChange={(e) => setBody(e.target.value)}
        />
        <ErrorNotice error={rest} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            {t('tickets.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('tickets.followUp.creating') : t('tickets.followUp.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
