import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { useDebounced } from '../../lib/debounce.ts';
import { formatCount } from '../../lib/format.ts';
import {
  Fact,
  type ListPage,
  OrganizationField,
  Pager,
  pageFrom,
  QueryState,
  useUrlState,
} from './parts.tsx';

/** The frames the customer and organization screens share: lists with a filter, add dialogs, profiles. */

/**
 * A list's filter box and page, kept in the URL: typing settles into the URL (replacing the entry), and
 * going back or forward brings the URL's filter into the box.
 */
export function useUrlFilter() {
  const [params, setParams] = useUrlState();
  const filterParam = (params.get('filter') ?? '').trim();
  const page = pageFrom(params);
  const [filter, setFilter] = useState(filterParam);
  const settled = useDebounced(filter.trim(), 300);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled change of the typed text counts
  useEffect(() => {
    if (settled !== filterParam) setParams({ filter: settled || null, page: null }, true);
  }, [settled]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change of the URL's filter counts
  useEffect(() => {
    if (filterParam !== settled) setFilter(filterParam);
  }, [filterParam]);
  const setPage = (p: number) => setParams({ page: p > 1 ? String(p) : null });
  return { filterParam, page, filter, setFilter, setPage };
}

/**
 * A list screen: its title and add button, the filter box with its hint (and the API's complaint about
 * the filter, if any), the count, then the list (or `empty`) and the pager.
 */
export function FilteredListScreen<T extends ListPage>({
  id,
  title,
  addLabel,
  onAdd,
  filterLabel,
  filterHint,
  filterError,
  urlFilter,
  list,
  countText,
  empty,
  children,
  dialog,
}: {
  id: string;
  title: string;
  addLabel?: string;
  onAdd: () => void;
  filterLabel: string;
  filterHint: string;
  filterError?: string | null;
  urlFilter: ReturnType<typeof useUrlFilter>;
  list: UseQueryResult<T>;
  countText: (count: number) => string;
  empty: string | false;
  children: (data: T) => ReactNode;
  dialog: ReactNode;
}) {
  const filterId = useId();
  return (
    <section className="customers-page" aria-labelledby={id}>
      <header className="page-header">
        <h1 id={id}>{title}</h1>
        {addLabel && (
          <button type="button" className="button primary" onClick={onAdd}>
            {addLabel}
          </button>
        )}
      </header>
      <search className="toolbar filter-bar">
        <div className="filter-field">
          <label htmlFor={filterId}>{filterLabel}</label>
          <input
            id={filterId}
            type="search"
            value={urlFilter.filter}
            onChange={(e) => urlFilter.setFilter(e.target.value)}
            aria-describedby={`${filterId}-hint${filterError ? ` ${filterId}-error` : ''}`}
            aria-invalid={filterError ? true : undefined}
            autoComplete="off"
          />
          <p className="hint" id={`${filterId}-hint`}>
            {filterHint}
          </p>
          {filterError && (
            <p className="field-error" id={`${filterId}-error`} role="alert">
              {filterError}
            </p>
          )}
        </div>
        {list.data && (
          <p className="muted list-count" role="status">
            {countText(list.data.count)}
          </p>
        )}
      </search>
      {!filterError && <QueryState error={list.error} loading={list.isPending} />}
      {list.data && (empty ? <p className="muted empty">{empty}</p> : children(list.data))}
      <Pager
        label={title}
        page={urlFilter.page}
        hasNext={Boolean(list.data?.next_page)}
        onPage={urlFilter.setPage}
      />
      {dialog}
    </section>
  );
}

/** A card listing what belongs to a profile (its tickets, its people), with the count beside its heading. */
export function ProfileListCard<T extends ListPage>({
  id,
  title,
  list,
  empty,
  page,
  onPage,
  children,
}: {
  id: string;
  title: string;
  list: UseQueryResult<T>;
  empty: string | false;
  page: number;
  onPage: (page: number) => void;
  children: (data: T) => ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>
        {title} {list.data && <span className="tab-count">{formatCount(list.data.count)}</span>}
      </h2>
      <QueryState error={list.error} loading={list.isPending} />
      {list.data && (empty ? <p className="muted empty">{empty}</p> : children(list.data))}
      <Pager label={title} page={page} hasNext={Boolean(list.data?.next_page)} onPage={onPage} />
    </section>
  );
}

/**
 * A "create" form in a dialog. What was typed is a draft until Haven accepts it, so the dialog offers to
 * discard it once anything is typed.
 */
export function CreateDialog({
  title,
  open,
  onClose,
  onSubmit,
  pending,
  dirty,
  onDiscard,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: () => void;
  pending: boolean;
  dirty: boolean;
  onDiscard: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form
        className="stacked-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? t('customers.form.creating') : t('customers.form.create')}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t('shell.cancel')}
          </button>
          {dirty && (
            <button type="button" className="link-button" onClick={onDiscard}>
              {t('customers.form.discard')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

/** A profile's facts, with an edit button for those who may edit it. */
export function ProfileFacts({
  headingId,
  title,
  editLabel,
  onEdit,
  footer,
  children,
}: {
  headingId: string;
  title: string;
  /** Left out for those who may not edit. */
  editLabel?: string;
  onEdit: () => void;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card profile-card" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{title}</h2>
        {editLabel && (
          <button type="button" className="button" onClick={onEdit}>
            {editLabel}
          </button>
        )}
      </div>
      <dl className="facts">{children}</dl>
      {footer}
    </section>
  );
}

/** A profile's edit form; the edits are a draft (kept across reloads) until saved or discarded. */
export function ProfileEditForm({
  headingId,
  title,
  onSubmit,
  pending,
  onDiscard,
  children,
}: {
  headingId: string;
  title: string;
  onSubmit: () => void;
  pending: boolean;
  onDiscard: () => void;
  children: ReactNode;
}) {
  return (
    <section className="card profile-card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <form
        className="stacked-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <p className="hint">{t('customers.form.draftKept')}</p>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? t('shell.saving') : t('shell.save')}
          </button>
          <button type="button" className="button" onClick={onDiscard}>
            {t('customers.form.discard')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A fact of free text (details, notes): kept as typed, line breaks and all. */
export function TextFact({ label, text }: { label: string; text: string | null | undefined }) {
  return (
    <Fact label={label}>
      {text ? <span className="prewrap">{text}</span> : <span className="muted">{t('shell.none')}</span>}
    </Fact>
  );
}

export interface ContactForm {
  name: string;
  email: string;
  phone: string;
  organization: string;
}

/** A person's name, email, phone and organization, as "Add customer" and the profile's edit form ask them. */
export function ContactFields({
  form,
  set,
  byField,
  organizationError,
}: {
  form: ContactForm;
  set: (patch: Partial<ContactForm>) => void;
  byField: Record<string, string>;
  organizationError: string | null;
}) {
  return (
    <>
      <TextInput
        label={t('customers.form.name')}
        value={form.name}
        onChange={(e) => set({ name: e.target.value })}
        error={byField.name}
        required
        autoComplete="off"
      />
      <TextInput
        label={t('customers.form.email')}
        type="email"
        value={form.email}
        onChange={(e) => set({ email: e.target.value })}
        error={byField.email}
        autoComplete="off"
      />
      <TextInput
        label={t('customers.form.phone')}
        type="tel"
        value={form.phone}
        onChange={(e) => set({ phone: e.target.value })}
        error={byField.phone}
        autoComplete="off"
      />
      <OrganizationField
        value={form.organization}
        onChange={(organization) => set({ organization })}
        error={organizationError ?? byField.organization_id}
      />
    </>
  );
}
