import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { Field } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { useDebounced } from '../../lib/debounce.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useUsers } from '../../lib/queries.ts';
import type { Organization, Ticket, User } from '../../lib/types.ts';
import './customers.css';

/** Pieces the search, customer and organization screens share. */

export const PER_PAGE = 25;

/** An offset page as Haven's list endpoints answer it. */
export interface ListPage {
  count: number;
  next_page: string | null;
  previous_page: string | null;
}

/** This screen's query string as state: changing it pushes (or replaces) a history entry. */
export function useUrlState(): [
  URLSearchParams,
  (changes: Record<string, string | null>, replace?: boolean) => void,
] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const update = (changes: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const qs = next.toString();
    navigate(qs ? `${location}?${qs}` : location, { replace });
  };
  return [params, update];
}

export function pageFrom(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isInteger(page) && page > 1 ? page : 1;
}

export function Pager({
  label,
  page,
  hasNext,
  onPage,
}: {
  label: string;
  page: number;
  hasNext: boolean;
  onPage: (page: number) => void;
}) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        <span aria-hidden="true">←</span> {t('customers.list.previous')}
      </button>
      <span className="muted">{t('customers.list.page', { page })}</span>
      <button type="button" className="button" disabled={!hasNext} onClick={() => onPage(page + 1)}>
        {t('customers.list.next')} <span aria-hidden="true">→</span>
      </button>
    </nav>
  );
}

export interface TabSpec<T extends string> {
  id: T;
  label: string;
  count?: number | string;
}

/**
 * WAI-ARIA tabs with automatic activation: arrow keys, Home and End move between tabs, and the selected tab
 * alone is in the Tab order, so the keyboard goes tab list → panel in one step.
 */
export function Tabs<T extends string>({
  label,
  tabs,
  selected,
  onSelect,
  children,
}: {
  label: string;
  tabs: TabSpec<T>[];
  selected: T;
  onSelect: (id: T) => void;
  children: ReactNode;
}) {
  const base = useId();
  const refs = useRef(new Map<T, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const index = tabs.findIndex((tab) => tab.id === selected);
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const id = tabs[next]!.id;
    onSelect(id);
    refs.current.get(id)?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={label} className="tabs" onKeyDown={onKeyDown}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            ref={(el) => {
              if (el) refs.current.set(tab.id, el);
              else refs.current.delete(tab.id);
            }}
            type="button"
            role="tab"
            id={`${base}-${tab.id}`}
            aria-selected={tab.id === selected}
            aria-controls={`${base}-panel`}
            tabIndex={tab.id === selected ? 0 : -1}
            onClick={() => onSelect(tab.id)}
          >
            {tab.label} {tab.count !== undefined && <span className="tab-count">{tab.count}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${selected}`} className="tab-panel">
        {children}
      </div>
    </>
  );
}

export function StatusPill({ status }: { status: Ticket['status'] }) {
  return <span className={`status status-${status}`}>{t(`customers.status.${status}` as MessageKey)}</span>;
}

export function When({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">{t('customers.user.never')}</span>;
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {timeAgo(iso)}
    </time>
  );
}

export function roleLabel(role: User['role']): string {
  return t(`customers.roles.${role}` as MessageKey);
}

export function TagList({ tags }: { tags: string[] }) {
  if (!tags.length) return <span className="muted">{t('shell.none')}</span>;
  return (
    <ul className="tag-list">
      {tags.map((tag) => (
        <li key={tag} className="pill">
          {tag}
        </li>
      ))}
    </ul>
  );
}

/** Organizations by id, fetched in one show_many and cached per id set. */
export function useOrganizations(ids: (number | null | undefined)[]) {
  const unique = [...new Set(ids.filter((id): id is number => typeof id === 'number'))].sort((a, b) => a - b);
  return useQuery({
    queryKey: ['organizations', 'many', unique.join(',')],
    queryFn: () =>
      unique.length
        ? api
            .get<{ organizations: Organization[] }>('organizations/show_many', { ids: unique })
            .then((r) => new Map(r.organizations.map((o) => [o.id, o])))
        : Promise.resolve(new Map<number, Organization>()),
    staleTime: 60_000,
  });
}

/** A list table: its caption for screen readers and its column headings (`false` leaves one out). */
function DataTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: (string | false)[];
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map(
              (column) =>
                column !== false && (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function TicketTable({
  tickets,
  caption,
  showRequester = true,
}: {
  tickets: Ticket[];
  caption: string;
  showRequester?: boolean;
}) {
  const users = useUsers(showRequester ? tickets.map((ticket) => ticket.requester_id) : []);
  return (
    <DataTable
      caption={caption}
      columns={[
        t('customers.columns.id'),
        t('customers.columns.subject'),
        t('customers.columns.status'),
        showRequester && t('customers.columns.requester'),
        t('customers.columns.updated'),
      ]}
    >
      {tickets.map((ticket) => {
        const requester = users.data?.get(ticket.requester_id);
        return (
          <tr key={ticket.id}>
            <td className="muted">#{ticket.id}</td>
            <td>
              <Link href={`/tickets/${ticket.id}`}>{ticket.subject || t('customers.noSubject')}</Link>
            </td>
            <td>
              <StatusPill status={ticket.status} />
            </td>
            {showRequester && (
              <td>
                {users.isPending ? (
                  <span className="muted">…</span>
                ) : (
                  <Link href={`/users/${ticket.requester_id}`}>
                    {requester?.name ?? t('customers.unknownUser', { id: ticket.requester_id })}
                  </Link>
                )}
              </td>
            )}
            <td>
              <When iso={ticket.updated_at} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

export function UserTable({
  users,
  caption,
  showRole = false,
  showOrganization = true,
}: {
  users: User[];
  caption: string;
  showRole?: boolean;
  showOrganization?: boolean;
}) {
  const orgs = useOrganizations(showOrganization ? users.map((u) => u.organization_id) : []);
  return (
    <DataTable
      caption={caption}
      columns={[
        t('customers.columns.name'),
        t('customers.columns.email'),
        t('customers.columns.phone'),
        showOrganization && t('customers.columns.organization'),
        showRole && t('customers.columns.role'),
        t('customers.columns.created'),
      ]}
    >
      {users.map((user) => {
        const org = user.organization_id ? orgs.data?.get(user.organization_id) : undefined;
        return (
          <tr key={user.id}>
            <td>
              <Link href={`/users/${user.id}`}>{user.name}</Link>
            </td>
            <td>{user.email ?? <span className="muted">{t('customers.noEmail')}</span>}</td>
            <td>{user.phone ?? <span className="muted">{t('shell.none')}</span>}</td>
            {showOrganization && (
              <td>
                {user.organization_id && orgs.isPending ? (
                  <span className="muted">…</span>
                ) : user.organization_id ? (
                  <Link href={`/organizations/${user.organization_id}`}>
                    {org?.name ?? t('customers.unknownOrganization', { id: user.organization_id })}
                  </Link>
                ) : (
                  <span className="muted">{t('shell.none')}</span>
                )}
              </td>
            )}
            {showRole && <td>{roleLabel(user.role)}</td>}
            <td>
              <When iso={user.created_at} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

export function OrganizationTable({
  organizations,
  caption,
}: {
  organizations: Organization[];
  caption: string;
}) {
  return (
    <DataTable
      caption={caption}
      columns={[
        t('customers.columns.name'),
        t('customers.columns.domains'),
        t('customers.columns.tags'),
        t('customers.columns.created'),
      ]}
    >
      {organizations.map((org) => (
        <tr key={org.id}>
          <td>
            <Link href={`/organizations/${org.id}`}>{org.name}</Link>
          </td>
          <td>
            {org.domain_names.length ? (
              org.domain_names.join(', ')
            ) : (
              <span className="muted">{t('shell.none')}</span>
            )}
          </td>
          <td>
            <TagList tags={org.tags} />
          </td>
          <td>
            <When iso={org.created_at} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** "vip, gold  beta" → ["vip", "gold", "beta"]: tags and domains are typed as one line. */
export function splitWords(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

/**
 * A 422's per-field problems in plain words beside their fields. Haven prefixes some with the field's key
 * ("email: is not a valid email address"); that becomes the field's label ("Email is not a valid …"), and a
 * problem with one item of a list ("domain_names.1") names the item.
 */
export function detailErrors(
  error: unknown,
  labels: Record<string, string>,
  items: Record<string, string[]> = {},
): { byField: Record<string, string>; rest: unknown } {
  if (!(error instanceof ApiError) || !Object.keys(error.details).length) return { byField: {}, rest: error };
  const byField: Record<string, string> = {};
  let unclaimed = false;
  for (const [key, problems] of Object.entries(error.details)) {
    const [field, index] = key.split('.');
    const label = labels[field!];
    const message = problems[0]?.description;
    if (!label || !message) {
      unclaimed = true;
      continue;
    }
    if (byField[field!]) continue;
    const prefix = `${key}: `;
    const rest = message.toLowerCase().startsWith(prefix.toLowerCase()) ? message.slice(prefix.length) : null;
    const item = index !== undefined ? items[field!]?.[Number(index)] : undefined;
    byField[field!] = rest === null ? message : item !== undefined ? `“${item}” ${rest}` : `${label} ${rest}`;
  }
  return { byField, rest: unclaimed ? error : null };
}

/**
 * An organization typed by name, with suggestions from Haven's autocomplete as you type. The name is turned
 * back into an id on save (`resolveOrganization`).
 */
export function OrganizationField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (name: string) => void;
  error?: string;
}) {
  const listId = useId();
  const prefix = useDebounced(value.trim(), 250);
  const suggestions = useQuery({
    queryKey: ['organizations', 'autocomplete', prefix.toLowerCase()],
    queryFn: () =>
      api
        .get<{ organizations: Organization[] }>('organizations/autocomplete', { name: prefix, per_page: 10 })
        .then((r) => r.organizations),
    enabled: prefix.length >= 2,
    staleTime: 60_000,
  });
  return (
    <Field label={t('customers.form.organization')} hint={t('customers.form.organizationHint')} error={error}>
      {(a11y) => (
        <>
          <input
            {...a11y}
            type="text"
            list={listId}
            autoComplete="off"
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
          <datalist id={listId}>
            {(suggestions.data ?? []).map((org) => (
              <option key={org.id} value={org.name} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

/**
 * The organization id for a typed name: null when empty, `known` when it still carries that name, else the
 * organization with exactly that name (ignoring case). Undefined when there is none.
 */
export async function resolveOrganization(
  name: string,
  known?: Organization | null,
): Promise<number | null | undefined> {
  const wanted = name.trim();
  if (!wanted) return null;
  if (known && known.name.toLowerCase() === wanted.toLowerCase()) return known.id;
  const found = await api.get<{ organizations: Organization[] }>('organizations/search', { name: wanted });
  return found.organizations[0]?.id;
}

/** One row of a profile's definition list. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Page-level loading and errors, the same on every screen here. */
export function QueryState({ error, loading }: { error: unknown; loading: boolean }) {
  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <p className="page-error" role="alert">
        {notFound
          ? t('shell.errors.notFound')
          : error instanceof ApiError
            ? error.description
            : t('shell.errors.generic', { message: String((error as Error)?.message ?? error) })}
      </p>
    );
  }
  if (loading) return <p className="loading">{t('customers.list.loading')}</p>;
  return null;
}
