import { lazy, type ReactNode, type Ref, Suspense, useCallback, useId, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/forms.tsx';
import { useDismiss } from '../../components/useDismiss.ts';
import { t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { statusLabel } from './describe.ts';
import {
  type DraftUpload,
  formatBytes,
  SUBMIT_STATUSES,
  type SubmitStatus,
  type TicketDraft,
} from './draft.ts';
import type { EditorHandle } from './Editor.tsx';

let editorChunk: Promise<typeof import('./Editor.tsx')> | null = null;
/** Starts loading the editor chunk (once), so it downloads alongside the ticket's data, not after it. */
export function preloadEditor() {
  editorChunk ??= import('./Editor.tsx');
  return editorChunk;
}
const Editor = lazy(preloadEditor);

interface Uploading {
  key: string;
  name: string;
  size: number;
  error: string | null;
}

/**
 * Where the agent writes: public reply or internal note, the rich-text editor, attachments (button, drop or
 * paste), and the Submit / Submit-as split button. Everything typed lives in the draft, never only here.
 */
export function Composer({
  draft,
  update,
  currentStatus,
  submitting,
  error,
  editorRef,
  tabRefs,
  onTyping,
  onSubmit,
  macroPicker,
}: {
  draft: TicketDraft;
  update: (fn: (d: TicketDraft) => TicketDraft) => void;
  currentStatus: string;
  submitting: boolean;
  error: unknown;
  editorRef: Ref<EditorHandle>;
  tabRefs: { reply: Ref<HTMLButtonElement>; note: Ref<HTMLButtonElement> };
  onTyping: () => void;
  onSubmit: (status?: SubmitStatus) => void;
  macroPicker: ReactNode;
}) {
  const [uploading, setUploading] = useState<Uploading[]>([]);
  const [dragging, setDragging] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const panelId = useId();
  useDismiss(
    menuRef,
    menuOpen,
    useCallback(() => setMenuOpen(false), []),
  );

  const addFiles = useCallback(
    (files: File[]) => {
      for (const file of files) {
        const key = `${file.name}:${file.size}:${Math.random()}`;
        setUploading((list) => [...list, { key, name: file.name, size: file.size, error: null }]);
        // One upload (token) per file, so each can be removed on its own before sending.
        api
          .upload(file)
          .then(({ upload }) => {
            setUploading((list) => list.filter((u) => u.key !== key));
            const a = upload.attachment;
            const done: DraftUpload = {
              token: upload.token,
              file_name: a.file_name,
              size: a.size,
              content_type: a.content_type,
              thumbnail_url: a.thumbnails[0]?.content_url ?? null,
            };
            update((d) => ({ ...d, uploads: [...d.uploads, done] }));
          })
          .catch((err: unknown) => {
            const message = err instanceof ApiError ? err.description : String(err);
            setUploading((list) => list.map((u) => (u.key === key ? { ...u, error: message } : u)));
          });
      }
    },
    [update],
  );

  const removeUpload = (token: string) => {
    update((d) => ({ ...d, uploads: d.uploads.filter((u) => u.token !== token) }));
    // The server forgets unused uploads after a while anyway; deleting now frees the space at once.
    api.delete(`uploads/${token}`).catch(() => {});
  };

  const note = !draft.public;
  const mode = (isPublic: boolean) => update((d) => ({ ...d, public: isPublic }));
  const pendingStatus = draft.changes.status;
  const busy = submitting || uploading.some((u) => !u.error);
  const submit = (status?: SubmitStatus) => {
    if (!busy) onSubmit(status);
  };
  const submitLabel = pendingStatus
    ? t('tickets.composer.submitAs', { status: statusLabel(pendingStatus) })
    : t('tickets.composer.submit');

  return (
    <section
      className={`composer${note ? ' composer-note' : ''}${dragging ? ' dragging' : ''}`}
      aria-label={t('tickets.composer.label')}
      onDragOver={(e) => {
        if (![...e.dataTransfer.types].includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        // A drop on the editor itself was taken care of there.
        if (e.defaultPrevented || !e.dataTransfer.files.length) return;
        e.preventDefault();
        addFiles([...e.dataTransfer.files]);
      }}
    >
      <div className="composer-tabs" role="tablist" aria-label={t('tickets.composer.mode')}>
        <button
          ref={tabRefs.reply}
          type="button"
          role="tab"
          id={`${panelId}-reply`}
          aria-selected={!note}
          aria-controls={panelId}
          tabIndex={note ? -1 : 0}
          onClick={() => mode(true)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              mode(false);
              (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
            }
          }}
        >
          {t('tickets.composer.publicReply')}
        </button>
        <button
          ref={tabRefs.note}
          type="button"
          role="tab"
          id={`${panelId}-note`}
          aria-selected={note}
          aria-controls={panelId}
          tabIndex={note ? 0 : -1}
          onClick={() => mode(false)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              mode(true);
              (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
            }
          }}
        >
          {t('tickets.composer.internalNote')}
        </button>
        {note && <span className="note-hint">{t('tickets.composer.noteHint')}</span>}
      </div>
      <div id={panelId} role="tabpanel" aria-labelledby={`${panelId}-${note ? 'note' : 'reply'}`}>
        <Suspense
          fallback={<div className="editor editor-loading">{t('tickets.composer.loadingEditor')}</div>}
        >
          <Editor
            handle={editorRef}
            initialHtml={draft.html}
            label={note ? t('tickets.composer.noteLabel') : t('tickets.composer.replyLabel')}
            placeholder={
              note ? t('tickets.composer.notePlaceholder') : t('tickets.composer.replyPlaceholder')
            }
            onChange={(html) => {
              update((d) => ({ ...d, html }));
              onTyping();
            }}
            onFiles={addFiles}
            onSubmit={() => submit()}
            disabled={submitting}
          />
        </Suspense>
        {(draft.uploads.length > 0 || uploading.length > 0) && (
          <ul className="composer-uploads" aria-label={t('tickets.composer.attachments')}>
            {draft.uploads.map((u) => (
              <li key={u.token}>
                {u.thumbnail_url && <img src={u.thumbnail_url} alt="" className="upload-thumb" />}
                <span>{u.file_name}</span> <span className="muted">({formatBytes(u.size)})</span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('tickets.composer.removeFile', { name: u.file_name })}
                  onClick={() => removeUpload(u.token)}
                >
                  ×
                </button>
              </li>
            ))}
            {uploading.map((u) => (
              <li key={u.key} className={u.error ? 'upload-failed' : 'upload-busy'}>
                <span>{u.name}</span> <span className="muted">({formatBytes(u.size)})</span>{' '}
                {u.error ? (
                  <>
                    <span className="field-error">
                      {t('tickets.composer.uploadFailed', { message: u.error })}
                    </span>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={t('tickets.composer.dismissFile', { name: u.name })}
                      onClick={() => setUploading((list) => list.filter((x) => x.key !== u.key))}
                    >
                      ×
                    </button>
                  </>
                ) : (
                  <span className="muted" role="status">
                    {t('tickets.composer.uploading')}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      {typeof error === 'string' ? (
        <p className="error-notice" role="alert">
          {error}
        </p>
      ) : (
        <ErrorNotice error={error} />
      )}
      <div className="composer-footer">
        <div className="composer-tools">
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            onChange={(e) => {
              addFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <button type="button" className="button" onClick={() => fileInput.current?.click()}>
            {t('tickets.composer.attach')}
          </button>
          {macroPicker}
          <span className="muted drop-hint">{t('tickets.composer.dropHint')}</span>
        </div>
        <div className="split-button menu" ref={menuRef}>
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={() => submit()}
            title={t('tickets.composer.submitHint', { status: statusLabel(currentStatus) })}
          >
            {submitting ? t('tickets.composer.submitting') : submitLabel}
          </button>
          <button
            type="button"
            className="button primary split-toggle"
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            aria-label={t('tickets.composer.submitAsMenu')}
            disabled={busy}
            onClick={() => setMenuOpen((o) => !o)}
          >
            ▾
          </button>
          {menuOpen && (
            <div
              className="menu-panel submit-menu"
              role="menu"
              ref={(el) => {
                (el?.querySelector('[role="menuitem"]') as HTMLElement | null)?.focus();
              }}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
                e.preventDefault();
                const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
                const at = items.indexOf(document.activeElement as HTMLElement);
                const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
                items[next]?.focus();
              }}
            >
              {SUBMIT_STATUSES.map((s) => (
                <button
                  key={s}
                  type="button"
                  role="menuitem"
                  className="menu-item"
                  onClick={() => {
                    setMenuOpen(false);
                    submit(s);
                  }}
                >
                  <span className={`swatch status-${s}`} aria-hidden="true" />
                  {t('tickets.composer.submitAs', { status: statusLabel(s) })}
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
