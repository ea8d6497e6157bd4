import { memo } from 'react';
import { Link } from 'wouter';
import { plural, t } from '../../i18n/index.ts';
import type { Attachment } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import type { Comment, User } from '../../lib/types.ts';
import { formatBytes } from './draft.ts';

export function initials(name: string | undefined): string {
  const parts = (name ?? '?').trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}

function Attachments({ files }: { files: Attachment[] }) {
  const images = files.filter((f) => f.content_type.startsWith('image/'));
  const others = files.filter((f) => !f.content_type.startsWith('image/'));
  return (
    <div className="comment-attachments">
      {images.length > 0 && (
        <ul className="attachment-images">
          {images.map((f) => (
            <li key={f.id}>
              <a
                href={f.content_url}
                target="_blank"
                rel="noopener"
                title={t('tickets.conversation.openImage')}
              >
                <img
                  src={f.thumbnails[0]?.content_url ?? f.content_url}
                  alt={f.file_name}
                  loading="lazy"
                  decoding="async"
                />
              </a>
              <a href={f.content_url} download={f.file_name} className="attachment-name">
                {f.file_name} <span className="muted">({formatBytes(f.size)})</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul className="attachment-files">
          {others.map((f) => (
            <li key={f.id}>
              <a href={f.content_url} download={f.file_name}>
                {f.file_name}
              </a>{' '}
              <span className="muted">({formatBytes(f.size)})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * One comment. Plain elements only (no per-comment queries or editors), memoised, and laid out lazily by the
 * browser (content-visibility in ticket.css), so a conversation of hundreds stays quick.
 */
const CommentItem = memo(function CommentItem({
  comment,
  author,
  requesterId,
  ticketId,
}: {
  comment: Comment;
  author: User | undefined;
  requesterId: number;
  /** Links a comment that came by mail to its original message. */
  ticketId?: number;
}) {
  const note = !comment.public;
  const name = author?.name ?? t('tickets.conversation.unknownAuthor');
  const isAgent = author?.role === 'agent' || author?.role === 'admin';
  return (
    <li className={note ? 'comment comment-note' : 'comment comment-public'} data-comment-id={comment.id}>
      <article
        aria-label={
          note ? t('tickets.conversation.noteBy', { name }) : t('tickets.conversation.replyBy', { name })
        }
      >
        <header className="comment-header">
          <span className={isAgent ? 'avatar agent' : 'avatar'} aria-hidden="true">
            {initials(author?.name)}
          </span>
          <span className="comment-author">
            {author ? <Link href={`/users/${author.id}`}>{name}</Link> : name}
            {comment.author_id === requesterId && (
              <span className="pill">{t('tickets.conversation.requester')}</span>
            )}
          </span>
          {note && <span className="note-label">{t('tickets.conversation.internalNote')}</span>}
          <time className="muted" dateTime={comment.created_at} title={formatDate(comment.created_at)}>
            {timeAgo(comment.created_at)}
          </time>
          {comment.via?.channel === 'email' && ticketId ? (
            <a
              className="muted"
              href={`/api/v2/tickets/${ticketId}/comments/${comment.id}/original_email`}
              target="_blank"
              rel="noopener"
              title={t('tickets.conversation.originalEmail')}
            >
              {t('tickets.conversation.viaEmail')}
            </a>
          ) : (
            comment.via?.channel &&
            !['web', 'api'].includes(comment.via.channel) && (
              <span className="muted">{t('tickets.conversation.via', { channel: comment.via.channel })}</span>
            )
          )}
        </header>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitizes comment HTML when it is written (scripts, handlers and unsafe URLs removed); nothing else here is inserted as HTML */}
        <div className="comment-body" dangerouslySetInnerHTML={{ __html: comment.html_body }} />
        {comment.attachments.length > 0 && <Attachments files={comment.attachments} />}
      </article>
    </li>
  );
});

export function ConversationList({
  comments,
  authors,
  requesterId,
  ticketId,
}: {
  comments: Comment[];
  authors: Map<number, User>;
  requesterId: number;
  ticketId?: number;
}) {
  const notes = comments.filter((c) => !c.public).length;
  return (
    <>
      <p className="visually-hidden">
        {plural('tickets.conversation.count', comments.length)}
        {notes > 0 ? ` ${plural('tickets.conversation.notes', notes)}` : ''}
      </p>
      <ol className="conversation-list">
        {comments.map((c) => (
          <CommentItem
            key={c.id}
            comment={c}
            author={authors.get(c.author_id)}
            requesterId={requesterId}
            ticketId={ticketId}
          />
        ))}
      </ol>
    </>
  );
}
