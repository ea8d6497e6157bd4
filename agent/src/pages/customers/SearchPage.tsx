import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { plural, t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { formatCount } from '../../lib/format.ts';
import type { Organization, Ticket, User } from '../../lib/types.ts';
import {
  type ListPage,
  OrganizationTable,
  Pager,
  PER_PAGE,
  pageFrom,
  Tabs,
  TicketTable,
  UserTable,
  useUrlState,
} from './parts.tsx';

type Kind = 'ticket' | 'user' | 'organization';
const KINDS: Kind[] = ['ticket', 'user', 'organization'];
const TICKET_TYPES = ['question', 'incident', 'problem', 'task'];

/**
 * Which record types each search field applies to, as Haven's search documents it (docs/api.md). Used only
 * to skip counting a tab the query cannot match; the server stays the judge of what a query means.
 */
const FIELD_KINDS: Record<string, Kind[]> = {
  status: ['ticket'],
  priority: ['ticket'],
  ticket_type: ['ticket'],
  assignee: ['ticket'],
  requester: ['ticket'],
  submitter: ['ticket'],
  group: ['ticket'],
  via: ['ticket'],
  subject: ['ticket'],
  description: ['ticket'],
  comment: ['ticket'],
  solved: ['ticket'],
  due_date: ['ticket'],
  due: ['ticket'],
  organization: ['ticket', 'user'],
  name: ['user', 'organization'],
  role: ['user'],
  email: ['user'],
  phone: ['user'],
  domain: ['organization'],
};

/** The record types a query can match: those its `type:` terms allow, narrowed by the fields it uses. */
function kindsOf(query: string): Kind[] {
  const unquoted = query.replace(/"(?:\\.|[^"\\])*"/g, ' ');
  const wanted = new Set<Kind>();
  const excluded = new Set<Kind>();
  let kinds: Kind[] = [...KINDS];
  for (const m of unquoted.matchAll(/(?:^|\s)(-?)([A-Za-z_]\w*)(<=|>=|:|<|>)(\S*)/g)) {
    const [, negated, rawField, , rawValue] = m;
    const field = rawField!.toLowerCase();
    const value = rawValue!.toLowerCase();
    if (field === 'type') {
      if ((KINDS as string[]).includes(value)) (negated ? excluded : wanted).add(value as Kind);
      else if (TICKET_TYPES.includes(value)) kinds = kinds.filter((k) => k === 'ticket');
      continue;
    }
    const applies = field.startsWith('custom_field_') ? ['ticket'] : FIELD_KINDS[field];
    if (applies) kinds = kinds.filter((k) => applies.includes(k));
  }
  return kinds.filter((k) => (!wanted.size || wanted.has(k)) && !excluded.has(k));
}

/** The query limited to one record type, whatever `type:` terms it already has. */
function onlyKind(query: string, kind: Kind): string {
  return `${query} ${KINDS.filter((k) => k !== kind)
    .map((k) => `-type:${k}`)
    .join(' ')}`;
}

type Counts = Record<Kind, number> & { total: number };

interface SearchAnswer extends ListPage {
  results: ((Ticket | User | Organization) & { result_type: Kind })[];
}

const SORTS = ['', 'updated_at', 'created_at'] as const;

function countLabel(n: number): string {
  return n > 1000 ? t('customers.search.many') : formatCount(n);
}

/**
 * Search results for the global search box's query: one tab per record type with its count, each tab
 * paginated. The query, tab, sort and page live in the URL so back and reload keep them.
 */
export default function SearchPage() {
  const [params, setParams] = useUrlState();
  const query = (params.get('q') ?? '').trim();
  const page = pageFrom(params);
  const sortParam = params.get('sort') ?? '';
  const sort = (SORTS as readonly string[]).includes(sortParam) ? sortParam : '';
  const [text, setText] = useState(query);
  const fieldId = useId();
  useEffect(() => setText(query), [query]);

  const counts = useQuery({
    queryKey: ['search', 'counts', query],
    enabled: query !== '',
    queryFn: async (): Promise<Counts> => {
      const { count: total } = await api.get<{ count: number }>('search/count', { query });
      const possible = kindsOf(query);
      const counts: Counts = { total, ticket: 0, user: 0, organization: 0 };
      if (possible.length === 1) counts[possible[0]!] = total;
      else
        await Promise.all(
          possible.map(async (kind) => {
            try {
              const { count } = await api.get<{ count: number }>('search/count', {
                query: onlyKind(query, kind),
              });
              counts[kind] = count;
            } catch (err) {
              // The whole query is valid, so a 400 here means it cannot match this type: none of them.
              if (!(err instanceof ApiError && err.status === 400)) throw err;
            }
          }),
        );
      return counts;
    },
  });

  const typeParam = params.get('type') as Kind | null;
  const kind: Kind =
    typeParam && KINDS.includes(typeParam)
      ? typeParam
      : (KINDS.find((k) => (counts.data?.[k] ?? 0) > 0) ?? kindsOf(query)[0] ?? 'ticket');

  const results = useQuery({
    queryKey: ['search', 'results', query, kind, sort, page],
    enabled: query !== '' && counts.isSuccess,
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<SearchAnswer>('search', {
        query: onlyKind(query, kind),
        page,
        per_page: PER_PAGE,
        sort_by: sort || undefined,
        sort_order: sort ? 'desc' : undefined,
      }),
  });

  const invalid = counts.error instanceof ApiError && counts.error.status === 400 ? counts.error : null;
  const otherError = counts.error && !invalid ? counts.error : results.error;
  const errorId = `${fieldId}-error`;
  const hintId = `${fieldId}-hint`;

  const labels: Record<Kind, string> = {
    ticket: t('customers.search.tickets'),
    user: t('customers.search.users'),
    organization: t('customers.search.organizations'),
  };
  // While another tab loads, the previous answer stays as placeholder: keep only rows of this tab's type.
  const shown = (results.data?.results ?? []).filter((r) => r.result_type === kind);
  const loading = results.isPending || (results.isFetching && results.isPlaceholderData);

  return (
    <section className="customers-page search-page" aria-labelledby="search-title">
      <h1 id="search-title">
        {query ? t('customers.search.titleFor', { query }) : t('customers.search.title')}
      </h1>
      <search>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
            const next = text.trim();
            if (next) setParams({ q: next, type: null, page: null });
          }}
        >
          <label htmlFor={fieldId} className="visually-hidden">
            {t('customers.search.label')}
          </label>
          <div className="search-row">
            <input
              id={fieldId}
              type="search"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? `${errorId} ${hintId}` : hintId}
              autoComplete="off"
            />
            <button type="submit" className="button primary">
              {t('customers.search.submit')}
            </button>
            <label className="inline-label">
              <span>{t('customers.search.sort')}</span>
              <select
                value={sort}
                onChange={(e) => setParams({ sort: e.target.value || null, page: null }, true)}
              >
                <option value="">{t('customers.search.sortRelevance')}</option>
                <option value="updated_at">{t('customers.search.sortUpdated')}</option>
                <option value="created_at">{t('customers.search.sortCreated')}</option>
              </select>
            </label>
          </div>
          {invalid && (
            <p className="field-error" id={errorId} role="alert">
              {t('customers.search.invalid', { message: invalid.description })}
            </p>
          )}
          <p className="hint" id={hintId}>
            {t('customers.search.hint')}
          </p>
        </form>
      </search>

      {!query && <p className="muted">{t('customers.search.empty')}</p>}
      {otherError && (
        <p className="page-error" role="alert">
          {otherError instanceof ApiError ? otherError.description : String(otherError)}
        </p>
      )}
      {query && counts.isPending && !invalid && <p className="loading">{t('customers.list.loading')}</p>}

      {counts.data && (
        <>
          <p className="muted" role="status">
            {counts.data.total === 0
              ? t('customers.search.none')
              : plural('customers.search.results', counts.data.total, {
                  count: countLabel(counts.data.total),
                })}
          </p>
          {counts.data.total > 0 && (
            <Tabs
              label={t('customers.search.types')}
              selected={kind}
              onSelect={(k) => setParams({ type: k, page: null })}
              tabs={KINDS.map((k) => ({ id: k, label: labels[k], count: countLabel(counts.data[k]) }))}
            >
              {loading && <p className="loading">{t('customers.list.loading')}</p>}
              {results.data && shown.length === 0 && !loading && (
                <p className="muted empty">
                  {t('customers.search.noneOfType', { type: labels[kind].toLowerCase() })}
                </p>
              )}
              {shown.length > 0 && kind === 'ticket' && (
                <TicketTable tickets={shown as Ticket[]} caption={labels.ticket} />
              )}
              {shown.length > 0 && kind === 'user' && (
                <UserTable users={shown as User[]} caption={labels.user} showRole />
              )}
              {shown.length > 0 && kind === 'organization' && (
                <OrganizationTable organizations={shown as Organization[]} caption={labels.organization} />
              )}
              <Pager
                label={labels[kind]}
                page={page}
                hasNext={Boolean(results.data?.next_page)}
                onPage={(p) => setParams({ page: p > 1 ? String(p) : null })}
              />
            </Tabs>
          )}
        </>
      )}
    </section>
  );
}
