import { Link } from 'wouter';
import { t } from '../../i18n/index.ts';
import { timeAgo } from '../../lib/format.ts';
import { initials } from './Conversation.tsx';
import { type TicketBundle, useRequestedTickets } from './data.ts';
import { statusLabel } from './describe.ts';

/** Who asked: their profile, organization and other requests, one click from the customer page. */
export function RequesterPanel({ bundle }: { bundle: TicketBundle }) {
  const { ticket } = bundle;
  const requester = bundle.users.get(ticket.requester_id);
  const org =
    (requester?.organization_id && bundle.organizations.get(requester.organization_id)) ||
    (ticket.organization_id ? bundle.organizations.get(ticket.organization_id) : undefined);
  const others = useRequestedTickets(ticket.id, ticket.requester_id);
  const list = (others.data?.tickets ?? []).filter((x) => x.id !== ticket.id);
  return (
    <section className="requester" aria-labelledby="requester-title">
      <h2 id="requester-title">{t('tickets.requester.title')}</h2>
      <div className="requester-card">
        <span className="avatar" aria-hidden="true">
          {initials(requester?.name)}
        </span>
        <div>
          <p className="requester-name">
            <Link href={`/users/${ticket.requester_id}`}>
              {requester?.name ?? t('tickets.history.unknownUser', { id: ticket.requester_id })}
            </Link>
          </p>
          {requester?.email && (
            <p className="muted requester-email">
              <a href={`mailto:${requester.email}`}>{requester.email}</a>
            </p>
          )}
        </div>
      </div>
      <dl className="requester-facts">
        <dt>{t('tickets.fields.organization')}</dt>
        <dd>{org ? <Link href={`/organizations/${org.id}`}>{org.name}</Link> : t('tickets.history.none')}</dd>
        {requester?.phone && (
          <>
            <dt>{t('tickets.requester.phone')}</dt>
            <dd>{requester.phone}</dd>
          </>
        )}
        {requester?.time_zone && (
          <>
            <dt>{t('tickets.requester.timeZone')}</dt>
            <dd>{requester.time_zone}</dd>
          </>
        )}
      </dl>
      {requester?.notes && <p className="requester-notes">{requester.notes}</p>}
      <p>
        <Link href={`/users/${ticket.requester_id}`}>{t('tickets.requester.profile')}</Link>
      </p>
      <h3>{t('tickets.requester.otherTickets')}</h3>
      {others.isLoading ? (
        <p className="muted">{t('tickets.loading')}</p>
      ) : others.error ? (
        <p className="muted">{t('tickets.requester.otherTicketsFailed')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('tickets.requester.noOtherTickets')}</p>
      ) : (
        <ul className="other-tickets">
          {list.map((x) => (
            <li key={x.id}>
              <span className={`status status-${x.status}`}>{statusLabel(x.status)}</span>{' '}
              <Link href={`/tickets/${x.id}`}>
                #{x.id} {x.subject || t('tickets.noSubject')}
              </Link>
              <span className="muted"> · {timeAgo(x.updated_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {(others.data?.count ?? 0) > 10 && (
        <p>
          <Link href={`/users/${ticket.requester_id}`}>
            {t('tickets.requester.allTickets', { count: others.data!.count })}
          </Link>
        </p>
      )}
    </section>
  );
}
