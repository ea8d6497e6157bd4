import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { ErrorNotice } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { useSession } from '../../lib/session.tsx';
import type { User } from '../../lib/types.ts';
import { detailErrors, type ListPage, PER_PAGE, resolveOrganization, UserTable } from './parts.tsx';
import {
  ContactFields,
  type ContactForm,
  CreateDialog,
  FilteredListScreen,
  useUrlFilter,
} from './screens.tsx';

interface UsersAnswer extends ListPage {
  users: User[];
}

/** End-users, newest first, with a filter box and "Add customer". The filter and page live in the URL. */
export default function CustomersPage() {
  const urlFilter = useUrlFilter();
  const { filterParam, page } = urlFilter;
  const [adding, setAdding] = useState(false);
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
    <FilteredListScreen
      id="customers-title"
      title={t('customers.customers.title')}
      addLabel={t('customers.customers.add')}
      onAdd={() => setAdding(true)}
      filterLabel={t('customers.customers.filter')}
      filterHint={t('customers.customers.filterHint')}
      filterError={filterError}
      urlFilter={urlFilter}
      list={list}
      countText={(count) => plural('customers.customers.count', count)}
      empty={
        !list.data?.users.length &&
        (filterParam
          ? t('customers.customers.noMatch', { filter: filterParam })
          : t('customers.customers.empty'))
      }
      dialog={<AddCustomerDialog open={adding} onClose={() => setAdding(false)} />}
    >
      {(data) => <UserTable users={data.users} caption={t('customers.customers.title')} />}
    </FilteredListScreen>
  );
}

type NewCustomer = ContactForm;

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
  return (
    <CreateDialog
      title={t('customers.customers.add')}
      open={open}
      onClose={onClose}
      onSubmit={() => create.mutate(draft)}
      pending={create.isPending}
      dirty={Object.values(draft).some((v) => v.trim() !== '')}
      onDiscard={() => {
        clearDraft();
        create.reset();
        setOrgMissing(null);
      }}
    >
      <ContactFields
        form={draft}
        set={(patch) => setDraft({ ...draft, ...patch })}
        byField={byField}
        organizationError={orgMissing}
      />
      <ErrorNotice error={rest} />
    </CreateDialog>
  );
}
