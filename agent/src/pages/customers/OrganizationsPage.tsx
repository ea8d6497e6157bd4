import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { useSession } from '../../lib/session.tsx';
import type { Organization } from '../../lib/types.ts';
import { OrganizationFields, type OrganizationForm } from './OrganizationFields.tsx';
import { type ListPage, OrganizationTable, PER_PAGE, splitWords } from './parts.tsx';
import { CreateDialog, FilteredListScreen, useUrlFilter } from './screens.tsx';

interface OrganizationsAnswer extends ListPage {
  organizations: Organization[];
}

/** Organizations, newest first, filtered by the start of their name; admins add new ones here. */
export default function OrganizationsPage() {
  const { isAdmin } = useSession();
  const urlFilter = useUrlFilter();
  const { filterParam, page } = urlFilter;
  const [adding, setAdding] = useState(false);

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
    <FilteredListScreen
      id="organizations-title"
      title={t('customers.organizations.title')}
      addLabel={isAdmin ? t('customers.organizations.add') : undefined}
      onAdd={() => setAdding(true)}
      filterLabel={t('customers.organizations.filter')}
      filterHint={
        urlFilter.filter.trim().length === 1
          ? t('customers.organizations.filterShort')
          : t('customers.organizations.filterHint')
      }
      urlFilter={urlFilter}
      list={list}
      countText={(count) => plural('customers.organizations.count', count)}
      empty={
        !list.data?.organizations.length &&
        (filtering
          ? t('customers.organizations.noMatch', { filter: filterParam })
          : isAdmin
            ? t('customers.organizations.empty')
            : t('customers.organizations.emptyAgent'))
      }
      dialog={isAdmin && <AddOrganizationDialog open={adding} onClose={() => setAdding(false)} />}
    >
      {(data) => (
        <OrganizationTable organizations={data.organizations} caption={t('customers.organizations.title')} />
      )}
    </FilteredListScreen>
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
  return (
    <CreateDialog
      title={t('customers.organizations.add')}
      open={open}
      onClose={onClose}
      onSubmit={() => create.mutate(draft)}
      pending={create.isPending}
      dirty={Object.values(draft).some((v) => v.trim() !== '')}
      onDiscard={() => {
        clearDraft();
        create.reset();
      }}
    >
      <OrganizationFields form={draft} onChange={setDraft} error={create.error} />
    </CreateDialog>
  );
}
