import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useLocation } from 'wouter';
import { Dialog } from '../../components/Dialog.tsx';
import { plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { useSession } from '../../lib/session.tsx';
import type { Organization } from '../../lib/types.ts';
import { OrganizationFields, type OrganizationForm } from './OrganizationFields.tsx';
import {
  type ListPage,
  OrganizationTable,
  Pager,
  PER_PAGE,
  pageFrom,
  QueryState,
  splitWords,
  useDebounced,
  useUrlState,
} from './parts.tsx';

interface OrganizationsAnswer extends ListPage {
  organizations: Organization[];
}

/** Organizations, newest first, filtered by the start of their name; admins add new ones here. */
export default function OrganizationsPage() {
  const { isAdmin } = useSession();
  const [params, setParams] = useUrlState();
  const filterParam = (params.get('filter') ?? '').trim();
  const page = pageFrom(params);
  const [filter, setFilter] = useState(filterParam);
  const settled = useDebounced(filter.trim(), 300);
  const [adding, setAdding] = useState(false);
  const filterId = useId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled change of the typed text counts
  useEffect(() => {
    if (settled !== filterParam) setParams({ filter: settled || null, page: null }, true);
  }, [settled]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change of the URL's filter counts
  useEffect(() => {
    if (filterParam !== settled) setFilter(filterParam);
  }, [filterParam]);

  // Haven's autocomplete wants two characters; one character lists everything, with a hint saying so.
  const filtering = filterParam.length >= 2;
  const list = useQuery({
    queryKey: ['organizations', 'list', filtering ? filterParam : '', page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      filtering
        ? api.get<OrganizationsAnswer>('organizations/autocomplete', {
            name: filterParam,
            page,
            per_page: PER_PAGE,
          })
        : api.get<OrganizationsAnswer>('organizations', { page, per_page: PER_PAGE, sort_order: 'desc' }),
  });

  return (
    <section className="customers-page" aria-labelledby="organizations-title">
      <header className="page-header">
        <h1 id="organizations-title">{t('customers.organizations.title')}</h1>
        {isAdmin && (
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('customers.organizations.add')}
          </button>
        )}
      </header>
      <search className="toolbar filter-bar">
        <div className="filter-field">
          <label htmlFor={filterId}>{t('customers.organizations.filter')}</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            aria-describedby={`${filterId}-hint`}
            autoComplete="off"
          />
          <p className="hint" id={`${filterId}-hint`}>
            {filter.trim().length === 1
              ? t('customers.organizations.filterShort')
              : t('customers.organizations.filterHint')}
          </p>
        </div>
        {list.data && (
          <p className="muted list-count" role="status">
            {plural('customers.organizations.count', list.data.count)}
          </p>
        )}
      </search>
      <QueryState error={list.error} loading={list.isPending} />
      {list.data &&
        (list.data.organizations.length ? (
          <OrganizationTable
            organizations={list.data.organizations}
            caption={t('customers.organizations.title')}
          />
        ) : (
          <p className="muted empty">
            {filtering
              ? t('customers.organizations.noMatch', { filter: filterParam })
              : isAdmin
                ? t('customers.organizations.empty')
                : t('customers.organizations.emptyAgent')}
          </p>
        ))}
      <Pager
        label={t('customers.organizations.title')}
        page={page}
        hasNext={Boolean(list.data?.next_page)}
        onPage={(p) => setParams({ page: p > 1 ? String(p) : null })}
      />
      {isAdmin && <AddOrganizationDialog open={adding} onClose={() => setAdding(false)} />}
    </section>
  );
}

const EMPTY: OrganizationForm = { name: '', domains: '', tags: '', details: '', notes: '' };

function AddOrganizationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { me, account } = useSession();
  const [draft, setDraft, clearDraft] = useDraft<OrganizationForm>(
    draftKey(account.id, me.id, 'new-organization'),
    EMPTY,
  );
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = useMutation({
    mutationFn: (form: OrganizationForm) =>
      api
        .post<{ organization: Organization }>('organizations', {
          organization: {
            name: form.name,
            domain_names: splitWords(form.domains),
            tags: splitWords(form.tags),
            details: form.details.trim() || null,
            notes: form.notes.trim() || null,
          },
        })
        .then((r) => r.organization),
    onSuccess: (organization) => {
      clearDraft();
      queryClient.invalidateQueries({ queryKey: ['organizations'] });
      onClose();
      navigate(`/organizations/${organization.id}`);
    },
  });
  const dirty = Object.values(draft).some((v) => v.trim() !== '');
  return (
    <Dialog title={t('customers.organizations.add')} open={open} onClose={onClose}>
      <form
        className="stacked-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(draft);
        }}
      >
        <OrganizationFields form={draft} onChange={setDraft} error={create.error} />
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? t('customers.form.creating') : t('customers.form.create')}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t('shell.cancel')}
          </button>
          {dirty && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                clearDraft();
                create.reset();
              }}
            >
              {t('customers.form.discard')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
