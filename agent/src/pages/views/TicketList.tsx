import { type KeyboardEvent as ReactKeyboardEvent, useEffect, useRef } from 'react';
import { Link, useLocation } from 'wouter';
import { type MessageKey, t } from '../../i18n/index.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useShortcuts } from '../../lib/shortcuts.tsx';
import type { Group, Organization, User } from '../../lib/types.ts';
import { COLUMN_SHAPE, type ExecutedRow, type Sort } from './viewData.ts';

export interface ListProps {
  viewId: number;
  viewTitle: string;
  columns: { id: string; title: string }[];
  rows: ExecutedRow[];
  sort: Required<Sort>;
  onSort: (column: string) => void;
  people: Map<number, User> | undefined;
  groups: Map<number, Group>;
  organizations: Map<number, Organization> | undefined;
  selected: Set<number>;
  onSelect: (next: Set<number>) => void;
  cursorId: number | null;
  onCursor: (id: number | null) => void;
  busy: boolean;
}

function columnTitle(column: { id: string; title: string }): string {
  const key = `views.columns.${column.id}` as MessageKey;
  const text = t(key);
  return text === key ? column.title : text;
}

function Cell({
  column,
  row,
  people,
  groups,
  organizations,
}: {
  column: string;
  row: ExecutedRow;
  people: ListProps['people'];
  groups: ListProps['groups'];
  organizations: ListProps['organizations'];
}) {
  const shape = COLUMN_SHAPE[column];
  const value = shape ? row[shape.key] : undefined;
  switch (shape?.kind) {
    case 'id':
      return (
        <Link href={`/tickets/${row.ticket_id}`} data-ticket-link={row.ticket_id}>
          #{row.ticket_id}
        </Link>
      );
    case 'subject':
      return (
        <Link
          href={`/tickets/${row.ticket_id}`}
          className="views-subject"
          data-ticket-link={row.ticket_id}
          title={row.ticket.subject ?? undefined}
        >
          {row.ticket.subject || t('views.noSubject')}
        </Link>
      );
    case 'status':
      return (
        <span className={`status status-${row.ticket.status}`}>
          {t(`views.status.${row.ticket.status}` as MessageKey)}
        </span>
      );
    case 'priority':
      return value ? t(`views.priority.${value}` as MessageKey) : <span className="muted">—</span>;
    case 'type':
      return value ? t(`views.type.${value}` as MessageKey) : <span className="muted">—</span>;
    case 'person': {
      if (typeof value !== 'number')
        return column === 'assignee' ? (
          <span className="muted">
            <span aria-hidden="true">—</span>
            <span className="visually-hidden">{t('views.unassigned')}</span>
          </span>
        ) : null;
      return <>{people?.get(value)?.name ?? ''}</>;
    }
    case 'group':
      return typeof value === 'number' ? (groups.get(value)?.name ?? '') : <span className="muted">—</span>;
    case 'org':
      return typeof value === 'number' ? (organizations?.get(value)?.name ?? '') : null;
    case 'time':
      return typeof value === 'string' ? (
        <time dateTime={value} title={formatDate(value)}>
          {timeAgo(value)}
        </time>
      ) : null;
    default:
      return <>{value === null || value === undefined ? '' : String(value)}</>;
  }
}

/**
 * A page of a view: sortable columns, a checkbox per row (shift-click selects a range), and a keyboard
 * cursor (j/k move it, o or Enter opens, x selects). The cursor and selection are kept by ticket id, so a
 * live refresh that reorders rows leaves them on the same tickets.
 */
export function TicketList(props: ListProps) {
  const { rows, columns, selected, onSelect, cursorId, onCursor, sort } = props;
  const [, navigate] = useLocation();
  const anchor = useRef<number | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const ids = rows.map((r) => r.ticket_id);
  const allOnPage = ids.length > 0 && ids.every((id) => selected.has(id));
  const someOnPage = ids.some((id) => selected.has(id));
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = someOnPage && !allOnPage;
  }, [someOnPage, allOnPage]);

  const toggle = (id: number, checked: boolean, range: boolean) => {
    const next = new Set(selected);
    const at = ids.indexOf(id);
    const from = anchor.current === null ? -1 : ids.indexOf(anchor.current);
    if (range && from >= 0 && at >= 0) {
      const [lo, hi] = from < at ? [from, at] : [at, from];
      for (const rid of ids.slice(lo, hi + 1)) {
        if (checked) next.add(rid);
        else next.delete(rid);
      }
    } else if (checked) next.add(id);
    else next.delete(id);
    anchor.current = id;
    onSelect(next);
  };

  const move = (step: number) => {
    if (!ids.length) return;
    const at = cursorId === null ? -1 : ids.indexOf(cursorId);
    const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
    const id = ids[next]!;
    onCursor(id);
    // Focus follows the cursor, so Enter opens it and the row scrolls into view.
    tableRef.current?.querySelector<HTMLElement>(`[data-ticket-link="${id}"]`)?.focus();
  };
  const open = () => {
    if (cursorId !== null && ids.includes(cursorId)) navigate(`/tickets/${cursorId}`);
  };
  const toggleCursor = () => {
    if (cursorId !== null && ids.includes(cursorId)) toggle(cursorId, !selected.has(cursorId), false);
  };

  // While a dialog (a bulk action, the shortcut list) is open, the list behind it stays still.
  const unlessDialog = (run: () => void) => () => {
    if (!document.querySelector('dialog[open]')) run();
  };
  useShortcuts([
    { keys: 'j', description: 'views.shortcuts.next', run: unlessDialog(() => move(1)) },
    { keys: 'k', description: 'views.shortcuts.previous', run: unlessDialog(() => move(-1)) },
    { keys: 'o', description: 'views.shortcuts.open', run: unlessDialog(open) },
    { keys: 'x', description: 'views.shortcuts.select', run: unlessDialog(toggleCursor) },
  ]);

  // Shortcuts skip form controls; a focused row checkbox still answers to them, so clicking one does not
  // strand the keyboard.
  const onCheckboxKey = (e: ReactKeyboardEvent<HTMLInputElement>, id: number) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const key = e.key.toLowerCase();
    if (key === 'j' || key === 'k') {
      e.preventDefault();
      if (cursorId === null) onCursor(id);
      move(key === 'j' ? 1 : -1);
    } else if (key === 'x') {
      e.preventDefault();
      onCursor(id);
      toggle(id, !selected.has(id), false);
    } else if (key === 'o') {
      e.preventDefault();
      navigate(`/tickets/${id}`);
    }
  };

  return (
    <table className="data views-table" ref={tableRef} data-view-id={props.viewId} aria-busy={props.busy}>
      <caption className="visually-hidden">{t('views.listLabel', { view: props.viewTitle })}</caption>
      <thead>
        <tr>
          <th scope="col" className="views-check">
            <input
              ref={headerBox}
              type="checkbox"
              aria-label={t('views.select.all')}
              checked={allOnPage}
              onChange={(e) => {
                const next = new Set(selected);
                for (const id of ids) {
                  if (e.target.checked) next.add(id);
                  else next.delete(id);
                }
                onSelect(next);
              }}
            />
          </th>
          {columns.map((column) => {
            const active = sort.by === column.id;
            const title = columnTitle(column);
            return (
              <th
                key={column.id}
                scope="col"
                aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {COLUMN_SHAPE[column.id] ? (
                  <button
                    type="button"
                    className="views-sort"
                    onClick={() => props.onSort(column.id)}
                    title={t('views.sortBy', { column: title })}
                  >
                    {title}
                    <span aria-hidden="true" className="views-sort-mark">
                      {active ? (sort.order === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                ) : (
                  title
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const id = row.ticket_id;
          const classes = [selected.has(id) ? 'selected' : '', cursorId === id ? 'cursor' : '']
            .filter(Boolean)
            .join(' ');
          return (
            <tr
              key={id}
              className={classes || undefined}
              onFocusCapture={() => onCursor(id)}
              onClick={(e) => {
                // A click anywhere on the row opens it, except on its own controls.
                if ((e.target as HTMLElement).closest('a, button, input, label')) return;
                if (window.getSelection()?.toString()) return;
                navigate(`/tickets/${id}`);
              }}
            >
              <td className="views-check">
                <input
                  type="checkbox"
                  aria-label={t('views.select.one', { id })}
                  checked={selected.has(id)}
                  onChange={(e) => toggle(id, e.target.checked, (e.nativeEvent as MouseEvent).shiftKey)}
                  onKeyDown={(e) => onCheckboxKey(e, id)}
                />
              </td>
              {columns.map((column) => (
                <td key={column.id} className={`views-col-${COLUMN_SHAPE[column.id]?.kind ?? 'other'}`}>
                  <Cell
                    column={column.id}
                    row={row}
                    people={props.people}
                    groups={props.groups}
                    organizations={props.organizations}
                  />
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
