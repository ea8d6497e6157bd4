import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import {
  AdminTable,
  DeleteDialog,
  EditDeleteButtons,
  ListSection,
  ProblemList,
  problemsOf,
  SectionHeader,
} from './ui.tsx';

/**
 * A settings section that lists records and edits one at a time on its own page: the list, the `?edit=`
 * parameter that opens the editor, the record the editor reads, and what the editor shows until it can be
 * drawn.
 */

/**
 * Sections whose wording follows `admin.<area>.{title,intro,add,empty,deleteTitle,deleteMessage}`, and the
 * email channel's, whose wording follows `email.<area>.{…}`.
 */
type Area =
  | 'views'
  | 'macros'
  | 'triggers'
  | 'automations'
  | 'sla'
  | 'webhooks'
  | 'businessHours'
  | 'email.addresses'
  | 'email.mailboxes';

/** Where an area's wording is. */
const wordsOf = (area: Area) =>
  area === 'email.addresses' || area === 'email.mailboxes' ? area : (`admin.${area}` as const);

/**
 * The list of a section's records: a row per record with its `cells`, then `actions` and its edit and
 * delete buttons (unless it is not `editable`); and the confirmation before a delete, after which `refresh`
 * reloads the list. `notice` is the list's status line; `announce` sets it. `before` sits above the table (a
 * failed row action).
 */
export function RecordList<T extends { id: number | string }>({
  area,
  records,
  error,
  columns,
  name,
  cells,
  rowClassName,
  actions,
  editable,
  before,
  notice,
  announce,
  onEdit,
  onDelete,
  refresh,
}: {
  area: Area;
  /** Undefined while loading. */
  records: T[] | undefined;
  error: unknown;
  columns: string[];
  name: (row: T) => string;
  cells: (row: T, index: number) => ReactNode;
  rowClassName?: (row: T) => string | undefined;
  actions?: (row: T) => ReactNode;
  /** Whether a row has its edit and delete buttons: all have unless said. */
  editable?: (row: T) => boolean;
  before?: ReactNode;
  notice: string;
  announce: (notice: string) => void;
  onEdit: (id: T['id'] | 'new') => void;
  onDelete: (row: T) => Promise<unknown>;
  refresh: () => unknown;
}) {
  const [deleting, setDeleting] = useState<T | null>(null);
  const list = records ?? [];
  const words = wordsOf(area);
  return (
    <>
      <ListSection
        title={t(`${words}.title`)}
        intro={t(`${words}.intro`)}
        addLabel={t(`${words}.add`)}
        onAdd={() => onEdit('new')}
        notice={notice}
        before={before}
        error={error}
        loading={!records}
        empty={!list.length && t(`${words}.empty`)}
      >
        <AdminTable caption={t(`${words}.title`)} columns={columns}>
          {list.map((row, i) => (
            <tr key={row.id} className={rowClassName?.(row)}>
              {cells(row, i)}
              <td className="admin-row-actions">
                {actions?.(row)}
                {(editable?.(row) ?? true) && (
                  <EditDeleteButtons
                    name={name(row)}
                    onEdit={() => onEdit(row.id)}
                    onDelete={() => setDeleting(row)}
                  />
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>
      <DeleteDialog
        row={deleting}
        name={name}
        title={`${words}.deleteTitle`}
        message={`${words}.deleteMessage`}
        onDelete={onDelete}
        onDeleted={(deleted) => {
          announce(deleted);
          return refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

/** `?edit=<id|new>` of a settings section: which record the editor shows, and the way back to the list. */
export function useEditParam(section: string) {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  return {
    edit: params.get('edit'),
    params,
    open: (id: number | string) => navigate(`/admin/${section}?edit=${encodeURIComponent(String(id))}`),
    /** Another view of the section, such as `?log=<id>`. */
    go: (name: string, value: string) => navigate(`/admin/${section}?${name}=${encodeURIComponent(value)}`),
    close: () => navigate(`/admin/${section}`),
  };
}

/**
 * One record of a settings section, `GET <path>/<id>` answered as `{ <name>: … }` and cached under
 * `['admin', name, id]` (what a save invalidates). A new record (`id` null) has nothing to read.
 */
export function useRecord<T>(path: string, name: string, id: number | string | null) {
  return useQuery({
    queryKey: ['admin', name, id],
    queryFn: () => api.get<Record<string, T>>(`${path}/${id}`).then((r) => r[name]!),
    enabled: id !== null,
  });
}

/**
 * An editor's way in: when what it needs cannot be read, the API's words (under the section's `title`,
 * when given) and a way back to the list; "Loading…" until it is `ready`; then the editor `children` draws.
 */
export function EditorGate({
  title,
  error,
  ready,
  onDone,
  children,
}: {
  title?: string;
  error: unknown;
  ready: boolean;
  onDone: () => void;
  children: () => ReactNode;
}) {
  if (error) {
    return (
      <>
        {title && <SectionHeader title={title} />}
        <ProblemList problems={problemsOf(error, []).other} />
        <button type="button" className="button" onClick={onDone}>
          {t('admin.backToList')}
        </button>
      </>
    );
  }
  if (!ready) return <p className="loading">{t('shell.loading')}</p>;
  return children();
}
