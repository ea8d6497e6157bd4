import { useCallback, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useDismiss } from '../components/useDismiss.ts';
import { t } from '../i18n/index.ts';
import { timeAgo } from '../lib/format.ts';
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
 * What happened to the agent's own tickets while they worked elsewhere: assigned to them, or updated by
 * someone else while assigned to them. Built from the realtime events this agent may see; kept for the tab's life.
 */
export function Notifications() {
  const { me } = useSession();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(
    ref,
    open,
    useCallback(() => setOpen(false), []),
  );
  useRealtimeEvent((event) => {
    if (event.subject_type !== 'ticket' || event.actor_id === me.id) return;
    const p = event.payload;
    let text: string | null = null;
    const changes: string[] = p.changes ?? [];
    if (p.assignee_id === me.id && changes.includes('assignee_id'))
      text = t('shell.notifications.assigned', {
        actor: t('shell.notifications.someone'),
        id: event.subject_id,
      });
    else if (p.assignee_id === me.id && p.comment_id && p.comment_public !== false)
      text = t('shell.notifications.commented', { id: event.subject_id });
    else if (p.assignee_id === me.id && event.type === 'ticket.updated')
      text = t('shell.notifications.updated', {
        actor: t('shell.notifications.someone'),
        id: event.subject_id,
      });
    if (!text) return;
    setNotices((list) =>
      [
        { id: event.id, ticketId: event.subject_id, text: text!, at: event.created_at, read: false },
        ...list,
      ].slice(0, 50),
    );
  });
  const unread = notices.filter((n) => !n.read).length;
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="icon-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`${t('shell.notifications.label')}${unread ? ` (${unread})` : ''}`}
        onClick={() => setOpen(!open)}
      >
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
      </button>
      {open && (
        <div className="menu-panel notifications">
          <div className="menu-panel-header">
            <strong>{t('shell.notifications.label')}</strong>
            {unread > 0 && (
              <button
                type="button"
                className="link-button"
                onClick={() => setNotices((list) => list.map((n) => ({ ...n, read: true })))}
              >
                {t('shell.notifications.markRead')}
              </button>
            )}
          </div>
          {notices.length === 0 ? (
            <p className="muted">{t('shell.notifications.empty')}</p>
          ) : (
            <ul>
              {notices.map((n) => (
                <li key={n.id} className={n.read ? '' : 'unread'}>
                  <Link
                    href={`/tickets/${n.ticketId}`}
                    onClick={() => {
                      setOpen(false);
                      setNotices((list) => list.map((x) => (x.id === n.id ? { ...x, read: true } : x)));
                    }}
                  >
                    {n.text}
                  </Link>
                  <span className="muted"> · {timeAgo(n.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
