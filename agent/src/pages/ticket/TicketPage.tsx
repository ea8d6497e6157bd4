import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useParams } from 'wouter';
import { ErrorNotice, fieldErrors } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useTicketPresence } from '../../lib/presence.ts';
import { useRealtimeEvent } from '../../lib/realtime.tsx';
import { useSession } from '../../lib/session.tsx';
import { useShortcuts } from '../../lib/shortcuts.tsx';
import { ConflictDialog, type OutsideUpdate, PresenceBar, UpdateBanner } from './Collision.tsx';
import { Composer, preloadEditor } from './Composer.tsx';
import { ConversationList } from './Conversation.tsx';
import {
  fetchTicket,
  type MacroResult,
  type TicketBundle,
  type TicketRecord,
  ticketKeys,
  useConversation,
  useTicket,
} from './data.ts';
import { statusLabel } from './describe.ts';
import {
  applyMacroResult,
  EMPTY_DRAFT,
  isDraftEmpty,
  type SubmitStatus,
  type TicketDraft,
  updateBody,
} from './draft.ts';
import type { EditorHandle } from './Editor.tsx';
import { FollowUpDialog } from './FollowUp.tsx';
import { History } from './History.tsx';
import { MacroPicker } from './Macros.tsx';
import { MergeDialog } from './MergeDialog.tsx';
import { PropertiesPanel } from './PropertiesPanel.tsx';
import { RequesterPanel } from './RequesterPanel.tsx';
import './ticket.css';

/** Fields a 422 on submit may name that belong beside a property rather than in the composer. */
const PROPERTY_ERRORS = [
  'status',
  'priority',
  'type',
  'group',
  'group_id',
  'assignee',
  'assignee_id',
  'tags',
  'custom_fields',
  'problem_id',
  'due_at',
];

/**
 * What the composer says about a failed submit, in the API's own words: problems with the reply itself,
 * or a pointer to the properties whose errors are shown beside them.
 */
function composerProblem(error: unknown, byField: Record<string, string>): unknown {
  if (!error || typeof error === 'string') return error;
  if (!(error instanceof ApiError)) return error;
  const other = Object.entries(error.details)
    .filter(([key]) => !PROPERTY_ERRORS.includes(key))
    .flatMap(([, problems]) => problems.map((p) => p.description));
  if (other.length) return other.join(' ');
  if (Object.keys(byField).length) return t('tickets.composer.fixFields');
  return error.description || error.code;
}

/** The agent workspace's ticket screen: conversation, composer, properties, requester, history. */
export default function TicketPage() {
  const params = useParams<{ id: string }>();
  const id = Number(params.id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const ticket = useTicket(id, valid);
  // The conversation and the editor load side by side with the ticket rather than after it.
  useConversation(id, valid);
  useEffect(() => {
    preloadEditor();
  }, []);
  if (!valid)
    return (
      <p className="page-error" role="alert">
        {t('tickets.errors.notFound', { id: params.id ?? '' })}
      </p>
    );
  if (ticket.isLoading) return <p className="loading">{t('tickets.loadingTicket', { id })}</p>;
  if (ticket.error || !ticket.data) {
    const err = ticket.error;
    const status = err instanceof ApiError ? err.status : 0;
    return (
      <div className="page-error" role="alert">
        <h1>{t('tickets.errors.title', { id })}</h1>
        <p>
          {status === 404
            ? t('tickets.errors.notFound', { id })
            : status === 403
              ? t('tickets.errors.forbidden')
              : null}
        </p>
        {status !== 404 && status !== 403 && <ErrorNotice error={err} />}
        {status !== 404 && status !== 403 && (
          <button type="button" className="button" onClick={() => ticket.refetch()}>
            {t('tickets.errors.retry')}
          </button>
        )}
      </div>
    );
  }
  return <TicketWorkspace key={id} bundle={ticket.data} />;
}

function TicketWorkspace({ bundle }: { bundle: TicketBundle }) {
  const { ticket } = bundle;
  const id = ticket.id;
  const { me, account } = useSession();
  const queryClient = useQueryClient();
  const conversation = useConversation(id);
  const { viewers, setTyping } = useTicketPresence(id);
  const key = draftKey(account.id, me.id, `ticket:${id}`);
  const [draft, setDraft, clearDraft] = useDraft<TicketDraft>(key, EMPTY_DRAFT);
  const [tab, setTab] = useState<'conversation' | 'history'>('conversation');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<{ status?: SubmitStatus } | null>(null);
  const [outside, setOutside] = useState<OutsideUpdate | null>(null);
  const [dialog, setDialog] = useState<'merge' | 'followup' | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const editorRef = useRef<EditorHandle>(null);
  const replyTab = useRef<HTMLButtonElement>(null);
  const noteTab = useRef<HTMLButtonElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const scrollToEnd = useRef(true);
  const readOnly = ticket.status === 'closed';

  // Several edits can land before React re-renders (an upload finishing while typing), so each applies to
  // the newest draft, not to the one this render saw.
  const latest = useRef(draft);
  latest.current = draft;
  const ticketRef = useRef<TicketRecord>(ticket);
  ticketRef.current = ticket;
  const update = useCallback(
    (fn: (d: TicketDraft) => TicketDraft) => {
      let next = fn(latest.current);
      if (isDraftEmpty(next)) next = { ...next, base: null };
      else if (!next.base) next = { ...next, base: ticketRef.current.updated_at };
      latest.current = next;
      setDraft(next);
      // "Nothing to submit" no longer holds once something is written.
      setError((e: unknown) => (typeof e === 'string' ? null : e));
    },
    [setDraft],
  );

  useEffect(() => {
    document.title = `#${id} ${ticket.subject ?? ''} · ${account.name}`;
  }, [id, ticket.subject, account.name]);

  // Someone else changed this ticket: refresh in place and say who and what.
  useRealtimeEvent((event) => {
    if (event.subject_type !== 'ticket' || event.subject_id !== id) return;
    queryClient.invalidateQueries({ queryKey: ticketKeys.all(id) });
    if (event.actor_id === me.id) return;
    setOutside({
      actorId: event.actor_id,
      auditId: typeof event.payload?.audit_id === 'number' ? event.payload.audit_id : null,
      type: event.type,
    });
  });

  // The conversation opens at its newest comment, and follows when the agent's own reply lands.
  const count = conversation.data?.comments.length ?? 0;
  useLayoutEffect(() => {
    if (!count || !scrollToEnd.current || tab !== 'conversation') return;
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
    scrollToEnd.current = false;
  }, [count, tab]);

  const submit = async (status?: SubmitStatus, force = false) => {
    const d = latest.current;
    if (submitting) return;
    const statusChange = status !== undefined && status !== ticket.status;
    if (isDraftEmpty(d) && !statusChange) {
      setError(t('tickets.composer.nothingToSubmit'));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const res = await api.put<{ ticket: TicketRecord }>(
        `tickets/${id}`,
        updateBody(d, ticket, status, !force),
      );
      setTyping(false);
      clearDraft();
      // The next reply starts in the same mode: after a note, another note (never an accidental public reply).
      latest.current = { ...EMPTY_DRAFT, public: d.public };
      if (!d.public) setDraft(latest.current);
      editorRef.current?.setContent('');
      setConflict(null);
      scrollToEnd.current = true;
      queryClient.setQueryData<TicketBundle>(ticketKeys.ticket(id), (old) =>
        old ? { ...old, ticket: res.ticket } : old,
      );
      await queryClient.invalidateQueries({ queryKey: ticketKeys.all(id) });
      setAnnouncement(
        t('tickets.composer.submitted', {
          status: statusLabel(res.ticket.status),
          time: formatDate(res.ticket.updated_at),
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setConflict({ status });
      else setError(err);
    } finally {
      setSubmitting(false);
    }
  };

  const review = async () => {
    setSubmitting(true);
    try {
      const fresh = await queryClient.fetchQuery({
        queryKey: ticketKeys.ticket(id),
        queryFn: () => fetchTicket(id),
        staleTime: 0,
      });
      await queryClient.invalidateQueries({ queryKey: ticketKeys.all(id) });
      // The agent has now seen the newer version: the draft continues from it.
      update((d) => ({ ...d, base: fresh.ticket.updated_at }));
      setConflict(null);
    } catch (err) {
      setError(err);
      setConflict(null);
    } finally {
      setSubmitting(false);
    }
  };

  const focusComposer = (isPublic: boolean) => {
    if (readOnly) return;
    update((d) => ({ ...d, public: isPublic }));
    setTab('conversation');
    if (editorRef.current) editorRef.current.focus();
    else (isPublic ? replyTab : noteTab).current?.focus();
  };

  // Not while a dialog is open: its own fields and buttons have the keyboard then.
  const noDialog = () => !document.querySelector('dialog[open]');
  useShortcuts([
    { keys: 'r', description: 'tickets.shortcuts.reply', run: () => noDialog() && focusComposer(true) },
    { keys: 'n', description: 'tickets.shortcuts.note', run: () => noDialog() && focusComposer(false) },
    {
      keys: 'mod+enter',
      description: 'tickets.shortcuts.submit',
      inFields: true,
      run: () => noDialog() && !readOnly && submit(),
    },
  ]);

  const applyMacro = (result: MacroResult) => {
    const before = latest.current.html;
    const next = applyMacroResult(latest.current, ticket, result.ticket, result.comment);
    update(() => next);
    if (next.html !== before) editorRef.current?.setContent(next.html);
    setAnnouncement(t('tickets.macros.applied'));
    editorRef.current?.focus();
  };

  const { byField } = fieldErrors(error, PROPERTY_ERRORS);
  const composerError = composerProblem(error, byField);
  const requester = bundle.users.get(ticket.requester_id);

  return (
    <div className="ticket-page">
      <div className="ticket-layout">
        <aside className="ticket-side ticket-side-properties" aria-label={t('tickets.properties.title')}>
          <PropertiesPanel
            ticket={ticket}
            draft={draft}
            update={update}
            errors={byField}
            readOnly={readOnly}
            busy={submitting}
          />
        </aside>

        <div className="ticket-main">
          <header className="ticket-header">
            <div className="ticket-title">
              <h1>{ticket.subject || t('tickets.noSubject')}</h1>
              <p className="ticket-meta">
                <span className={`status status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
                <span>#{ticket.id}</span>
                <span>
                  {t('tickets.meta.requestedBy', {
                    name: requester?.name ?? t('tickets.history.unknownUser', { id: ticket.requester_id }),
                  })}
                </span>
                <span title={formatDate(ticket.created_at)}>
                  {t('tickets.meta.created', { when: timeAgo(ticket.created_at) })}
                </span>
                <span>{t('tickets.meta.via', { channel: ticket.via.channel })}</span>
              </p>
            </div>
            {!readOnly && (
              <div className="ticket-actions">
                <button type="button" className="button" onClick={() => setDialog('merge')}>
                  {t('tickets.merge.button')}
                </button>
              </div>
            )}
          </header>

          <PresenceBar viewers={viewers} />
          <UpdateBanner
            bundle={bundle}
            update={outside}
            hasDraft={!isDraftEmpty(draft)}
            onDismiss={() => setOutside(null)}
          />
          <p className="visually-hidden" role="status">
            {announcement}
          </p>

          <div className="ticket-tabs" role="tablist" aria-label={t('tickets.tabs.label')}>
            {(['conversation', 'history'] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                id={`ticket-tab-${name}`}
                aria-selected={tab === name}
                aria-controls="ticket-tabpanel"
                tabIndex={tab === name ? 0 : -1}
                onClick={() => setTab(name)}
                onKeyDown={(e) => {
                  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                  const other = name === 'conversation' ? 'history' : 'conversation';
                  setTab(other);
                  document.getElementById(`ticket-tab-${other}`)?.focus();
                }}
              >
                {t(`tickets.tabs.${name}`)}
              </button>
            ))}
          </div>
          <div
            id="ticket-tabpanel"
            className="ticket-scroll"
            role="tabpanel"
            aria-labelledby={`ticket-tab-${tab}`}
            ref={scrollRef}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
            tabIndex={0}
          >
            {tab === 'conversation' ? (
              conversation.isLoading ? (
                <p className="loading">{t('tickets.loading')}</p>
              ) : conversation.error ? (
                <ErrorNotice error={conversation.error} />
              ) : (
                <ConversationList
                  comments={conversation.data?.comments ?? []}
                  authors={conversation.data?.authors ?? new Map()}
                  requesterId={ticket.requester_id}
                  ticketId={ticket.id}
                />
              )
            ) : (
              <History bundle={bundle} />
            )}
          </div>

          {readOnly ? (
            <div className="closed-notice" role="note">
              <p>{t('tickets.closed.explain')}</p>
              <button type="button" className="button primary" onClick={() => setDialog('followup')}>
                {t('tickets.followUp.button')}
              </button>
            </div>
          ) : (
            <Composer
              draft={draft}
              update={update}
              currentStatus={ticket.status}
              submitting={submitting}
              error={composerError}
              editorRef={editorRef}
              tabRefs={{ reply: replyTab, note: noteTab }}
              onTyping={() => setTyping(true)}
              onSubmit={(status) => submit(status)}
              macroPicker={<MacroPicker bundle={bundle} disabled={submitting} onApply={applyMacro} />}
            />
          )}
        </div>

        <aside className="ticket-side ticket-side-context" aria-label={t('tickets.requester.title')}>
          <RequesterPanel bundle={bundle} />
        </aside>
      </div>

      {conflict && (
        <ConflictDialog
          bundle={bundle}
          since={draft.base ?? ticket.updated_at}
          meId={me.id}
          busy={submitting}
          onReview={review}
          onSubmitAnyway={() => {
            setConflict(null);
            submit(conflict.status, true);
          }}
          onClose={() => setConflict(null)}
        />
      )}
      {dialog === 'merge' && <MergeDialog ticket={ticket} onClose={() => setDialog(null)} />}
      {dialog === 'followup' && <FollowUpDialog ticket={ticket} onClose={() => setDialog(null)} />}
    </div>
  );
}
