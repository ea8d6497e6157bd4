import { useCallback, useEffect, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNotice } from '../../components/forms.tsx';
import { useDismiss } from '../../components/useDismiss.ts';
import { t } from '../../i18n/index.ts';
import type { Audit, Macro } from '../../lib/types.ts';
import {
  type MacroResult,
  type TicketBundle,
  type TicketRecord,
  useActiveMacros,
  useMacroPreview,
} from './data.ts';
import { describeEvent } from './describe.ts';
import { useNames } from './names.ts';

type Event = Audit['events'][number];

/** What a macro would change, as audit-style events, so it reads exactly like the ticket's history. */
export function macroChanges(ticket: TicketRecord, after: TicketRecord): Event[] {
  const events: Event[] = [];
  let n = 0;
  const push = (field_name: string, value: unknown, previous_value: unknown) =>
    events.push({ id: n++, type: 'Change', field_name, value, previous_value });
  for (const key of ['subject', 'status', 'priority', 'type', 'group_id', 'assignee_id'] as const) {
    if (after[key] !== ticket[key]) push(key, after[key], ticket[key]);
  }
  if (JSON.stringify([...after.tags].sort()) !== JSON.stringify([...ticket.tags].sort()))
    push('tags', after.tags, ticket.tags);
  const asMap = (list: { id: number; value: unknown }[]) =>
    Object.fromEntries(list.filter((f) => f.value !== null).map((f) => [f.id, f.value]));
  const before = asMap(ticket.custom_fields);
  const now = asMap(after.custom_fields);
  if (JSON.stringify(before) !== JSON.stringify(now)) push('custom_fields', now, before);
  return events;
}

function MacroPreview({
  bundle,
  macro,
  onClose,
  onApply,
}: {
  bundle: TicketBundle;
  macro: Macro;
  onClose: () => void;
  onApply: (result: MacroResult) => void;
}) {
  const preview = useMacroPreview(bundle.ticket.id, macro.id);
  const result = preview.data;
  const events = result ? macroChanges(bundle.ticket, result.ticket) : [];
  const people = events
    .filter((e) => e.field_name === 'assignee_id')
    .flatMap((e) => [e.value, e.previous_value])
    .filter((v): v is number => typeof v === 'number');
  const names = useNames(people, bundle);
  const lines = events.flatMap((e) => describeEvent(e, names));
  return (
    <Dialog title={t('tickets.macros.previewTitle', { title: macro.title })} open onClose={onClose} wide>
      {preview.isLoading && <p className="loading">{t('tickets.loading')}</p>}
      <ErrorNotice error={preview.error} />
      {result && (
        <div className="macro-preview">
          {macro.description && <p className="muted">{macro.description}</p>}
          <h3>{t('tickets.macros.changes')}</h3>
          {lines.length ? (
            <ul className="macro-changes">
              {lines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('tickets.macros.noChanges')}</p>
          )}
          <h3>{t('tickets.macros.comment')}</h3>
          {result.comment?.html_body ? (
            <div className={result.comment.public ? 'macro-comment' : 'macro-comment comment-note'}>
              <p className="muted">
                {result.comment.public ? t('tickets.macros.publicComment') : t('tickets.macros.noteComment')}
              </p>
              {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitizes a macro's HTML when it is saved and again when it renders this preview */}
              <div className="comment-body" dangerouslySetInnerHTML={{ __html: result.comment.html_body }} />
            </div>
          ) : (
            <p className="muted">{t('tickets.macros.noComment')}</p>
          )}
          <p className="hint">{t('tickets.macros.nothingWritten')}</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('tickets.cancel')}
            </button>
            <button type="button" className="button primary" onClick={() => onApply(result)}>
              {t('tickets.macros.apply')}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** "Apply macro": a searchable list of the agent's active macros, then a preview before anything changes. */
export function MacroPicker({
  bundle,
  disabled,
  onApply,
}: {
  bundle: TicketBundle;
  disabled: boolean;
  onApply: (result: MacroResult) => void;
}) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<Macro | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const macros = useActiveMacros(open);
  useDismiss(
    ref,
    open,
    useCallback(() => setOpen(false), []),
  );
  useEffect(() => {
    if (open) searchRef.current?.focus();
  }, [open]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const list = (macros.data ?? []).filter((m) => words.every((w) => m.title.toLowerCase().includes(w)));
  return (
    <div className="menu macro-picker" ref={ref}>
      <button
        type="button"
        className="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        {t('tickets.macros.button')}
      </button>
      {open && (
        <div className="menu-panel macro-panel" role="dialog" aria-label={t('tickets.macros.pickerLabel')}>
          <label htmlFor="macro-search" className="visually-hidden">
            {t('tickets.macros.search')}
          </label>
          <input
            id="macro-search"
            ref={searchRef}
            type="search"
            placeholder={t('tickets.macros.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && list[0]) {
                e.preventDefault();
                setChosen(list[0]);
                setOpen(false);
              }
            }}
          />
          {macros.isLoading && <p className="muted">{t('tickets.loading')}</p>}
          <ErrorNotice error={macros.error} />
          {macros.data && !list.length && <p className="muted">{t('tickets.macros.none')}</p>}
          <ul className="macro-list">
            {list.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="menu-item"
                  onClick={() => {
                    setChosen(m);
                    setOpen(false);
                  }}
                >
                  {m.title}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {chosen && (
        <MacroPreview
          bundle={bundle}
          macro={chosen}
          onClose={() => setChosen(null)}
          onApply={(result) => {
            setChosen(null);
            onApply(result);
          }}
        />
      )}
    </div>
  );
}
