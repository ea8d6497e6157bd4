import { useState } from 'react';
import { Link } from 'wouter';
import { Menu } from '../components/Menu.tsx';
import { t } from '../i18n/index.ts';
import { timeAgo } from '../lib/format.ts';
import { useAgents } from '../lib/queries.ts';
import { useRealtimeEvent } from '../lib/realtime.tsx';
import { useSession } from '../lib/session.tsx';

interface Notice {
  id: number;
  ticketId: number;
  text: string;
  at: string;
  read: boolean;
}

/**
 * What happened to the agent's own tickets while they worked elsewhere: assigned to them, replied to, or
 * updated by someone else while assigned to them. Built from the realtime events this agent may see; kept for
 * the tab's life.
 */
export function Notifications() {
  const { me } = useSession();
  const agents = useAgents();
  const [notices, setNotices] = useState<Notice[]>([]);
  useRealtimeEvent((event) => {
    if (event.subject_type !== 'ticket' || event.actor_id === me.id) return;
    const p = event.payload;
    if (p.assignee_id !== me.id) return;
    const actor = agents.data?.find((a) => a.id === event.actor_id)?.name ?? t('shell.notifications.someone');
    const id = event.subject_id;
    const changes: string[] = p.changes ?? [];
    const text = changes.includes('assignee_id')
      ? t('shell.notifications.assigned', { actor, id })
      : p.comment_id && p.comment_public !== false
        ? t('shell.notifications.commented', { id })
        : event.type === 'ticket.updated'
          ? t('shell.notifications.updated', { actor, id })
          : null;
    if (!text) return;
    setNotices((list) =>
      [{ id: event.id, ticketId: id, text, at: event.created_at, read: false }, ...list].slice(0, 50),
    );
  });
  const unread = notices.filter((n) => !n.read).length;
  const markRead = (id?: number) =>
    setNotices((list) => list.map((n) => (id === undefined || n.id === id ? { ...n, read: true } : n)));
  return (
    <Menu
      label={`${t('shell.notifications.label')}${unread ? ` (${unread})` : ''}`}
      triggerClass="icon-button"
      panelClass="notifications"
      trigger={
        <>
          <svg
            aria-hidden="true"
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
            <path d="M13.7 21a2 2 0 0 1-3.4 0" />
          </svg>
          {unread > 0 && <span className="badge">{unread}</span>}
        </>
      }
    >
      {(close) => (
        <>
          <div className="menu-panel-header">
            <strong>{t('shell.notifications.label')}</strong>
            {unread > 0 && (
              <button type="button" className="link-button" onClick={() => markRead()}>
                {t('shell.notifications.markRead')}
              </button>
            )}
          </div>
          {notices.length === 0 ? (
            <p className="muted">{t('shell.notifications.empty')}</p>
          ) : (
            <ul className="menu-list">
              {notices.map((n) => (
                <li key={n.id} className={n.read ? '' : 'unread'}>
                  <Link
                    href={`/tickets/${n.ticketId}`}
                    onClick={() => {
                      close();
                      markRead(n.id);
                    }}
                  >
                    {n.text}
                  </Link>
                  <span className="muted"> · {timeAgo(n.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Menu>
  );
}
