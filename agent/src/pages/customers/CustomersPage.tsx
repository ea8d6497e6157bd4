import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useLocation } from 'wouter';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorNotice, TextInput } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { useSession } from '../../lib/session.tsx';
import type { User } from '../../lib/types.ts';
import {
  detailErrors,
  type ListPage,
  OrganizationField,
  Pager,
  PER_PAGE,
  pageFrom,
  QueryState,
  resolveOrganization,
  UserTable,
  useDebounced,
  useUrlState,
} from './parts.tsx';

interface UsersAnswer extends ListPage {
  users: User[];
}

/** End-users, newest first, with a filter box and "Add customer". The filter and page live in the URL. */
export default function CustomersPage() {
  const [params, setParams] = useUrlState();
  const filterParam = (params.get('filter') ?? '').trim();
  const page = pageFrom(params);
  const [filter, setFilter] = useState(filterParam);
  const settled = useDebounced(filter.trim(), 300);
  const [adding, setAdding] = useState(false);
  const filterId = useId();

  // Typing settles into the URL; going back or forward brings the URL's filter into the box.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled change of the typed text counts
  useEffect(() => {
    if (settled !== filterParam) setParams({ filter: settled || null, page: null }, true);
  }, [settled]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change of the URL's filter counts
  useEffect(() => {
    if (filterParam !== settled) setFilter(filterParam);
  }, [filterParam]);

  const list = useQuery({
    queryKey: ['customers', filterParam, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      filterParam
        ? api.get<UsersAnswer>('users/search', {
            query: `role:end-user ${filterParam}`,
            page,
            per_page: PER_PAGE,
            sort_order: 'desc',
          })
        : api.get<UsersAnswer>('users', { role: 'end-user', page, per_page: PER_PAGE, sort_order: 'desc' }),
  });
  const filterError =
    list.error instanceof ApiError && (list.error.status === 422 || list.error.status === 400)
      ? (list.error.fieldError('query') ?? list.error.description)
      : null;

  return (
    <section className="customers-page" aria-labelledby="customers-title">
      <header className="page-header">
        <h1 id="customers-title">{t('customers.customers.title')}</h1>
        <button type="button" className="button primary" onClick={() => setAdding(true)}>
          {t('customers.customers.add')}
        </button>
      </header>
      <search className="toolbar filter-bar">
        <div className="filter-field">
          <label htmlFor={filterId}>{t('customers.customers.filter')}</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            aria-describedby={`${filterId}-hint${filterError ? ` ${filterId}-error` : ''}`}
            aria-invalid={filterError ? true : undefined}
            autoComplete="off"
          />
          <p className="hint" id={`${filterId}-hint`}>
            {t('customers.customers.filterHint')}
          </p>
          {filterError && (
            <p className="field-error" id={`${filterId}-error`} role="alert">
              {filterError}
            </p>
          )}
        </div>
        {list.data && (
          <p className="muted list-count" role="status">
            {plural('customers.customers.count', list.data.count)}
          </p>
        )}
      </search>
      {!filterError && <QueryState error={list.error} loading={list.isPending} />}
      {list.data &&
        (list.data.users.length ? (
          <UserTable users={list.data.users} caption={t('customers.customers.title')} />
        ) : (
          <p className="muted empty">
            {filterParam
              ? t('customers.customers.noMatch', { filter: filterParam })
              : t('customers.customers.empty')}
          </p>
        ))}
      <Pager
        label={t('customers.customers.title')}
        page={page}
        hasNext={Boolean(list.data?.next_page)}
        onPage={(p) => setParams({ page: p > 1 ? String(p) : null })}
      />
      <AddCustomerDialog open={adding} onClose={() => setAdding(false)} />
    </section>
  );
}

interface NewCustomer {
  name: string;
  email: string;
  phone: string;
  organization: string;
}

const EMPTY: NewCustomer = { name: '', email: '', phone: '', organization: '' };

/** Creates an end-user. What was typed is a draft until Haven accepts it, so closing or a 422 loses nothing. */
function AddCustomerDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { me, account } = useSession();
  const [draft, setDraft, clearDraft] = useDraft<NewCustomer>(
    draftKey(account.id, me.id, 'new-customer'),
    EMPTY,
  );
  const [orgMissing, setOrgMissing] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = useMutation({
    mutationFn: async (form: NewCustomer) => {
      const organizationId = await resolveOrganization(form.organization);
      if (organizationId === undefined) {
        setOrgMissing(t('customers.form.noSuchOrganization', { name: form.organization.trim() }));
        return null;
      }
      setOrgMissing(null);
      const { user } = await api.post<{ user: User }>('users', {
        user: {
          name: form.name,
          email: form.email.trim() || undefined,
          phone: form.phone.trim() || undefined,
          organization_id: organizationId,
          role: 'end-user',
        },
      });
      return user;
    },
    onSuccess: (user) => {
      if (!user) return;
      clearDraft();
      queryClient.invalidateQueries({ queryKey: ['customers'] });
      onClose();
      navigate(`/users/${user.id}`);
    },
  });
  const { byField, rest } = detailErrors(create.error, {
    name: t('customers.form.name'),
    email: t('customers.form.email'),
    phone: t('customers.form.phone'),
    organization_id: t('customers.form.organization'),
  });
  const set = (patch: Partial<NewCustomer>) => setDraft({ ...draft, ...patch });
  const dirty = Object.values(draft).some((v) => v.trim() !== '');
  return (
    <Dialog title={t('customers.customers.add')} open={open} onClose={onClose}>
      <form
        className="stacked-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(draft);
        }}
      >
        <TextInput
          label={t('customers.form.name')}
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          error={byField.name}
          required
          autoComplete="off"
        />
        <TextInput
          label={t('customers.form.email')}
          type="email"
          value={draft.email}
          onChange={(e) => set({ email: e.target.value })}
          error={byField.email}
          autoComplete="off"
        />
        <TextInput
          label={t('customers.form.phone')}
          type="tel"
          value={draft.phone}
          onChange={(e) => set({ phone: e.target.value })}
          error={byField.phone}
          autoComplete="off"
        />
        <OrganizationField
          value={draft.organization}
          onChange={(organization) => set({ organization })}
          error={orgMissing ?? byField.organization_id}
        />
        <ErrorNotice error={rest} />
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
                setOrgMissing(null);
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
