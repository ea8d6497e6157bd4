import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'wouter';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { formatDate } from '../../lib/format.ts';
import { useRealtimeEvent } from '../../lib/realtime.tsx';
import { useSession } from '../../lib/session.tsx';
import type { Organization, Ticket, User } from '../../lib/types.ts';
import { OrganizationFields, type OrganizationForm, organizationFormFrom } from './OrganizationFields.tsx';
import {
  Fact,
  type ListPage,
  PER_PAGE,
  QueryState,
  splitWords,
  TagList,
  TicketTable,
  UserTable,
} from './parts.tsx';
import { ProfileEditForm, ProfileFacts, ProfileListCard, TextFact } from './screens.tsx';

interface UsersAnswer extends ListPage {
  users: User[];
}

interface TicketsAnswer extends ListPage {
  tickets: Ticket[];
}

/** An organization's profile (admins edit it), the people in it and its tickets. */
export default function OrganizationPage() {
  const params = useParams<{ id: string }>();
  const orgId = Number(params.id);
  const valid = Number.isInteger(orgId) && orgId > 0;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState('');
  // Same key as the shared useOrganization(), so other screens see an edit at once.
  const organization = useQuery({
    queryKey: ['organization', orgId],
    queryFn: () =>
      api.get<{ organization: Organization }>(`organizations/${orgId}`).then((r) => r.organization),
    enabled: valid,
  });

  useRealtimeEvent((event) => {
    if (event.subject_type === 'ticket' && event.payload?.organization_id === orgId)
      queryClient.invalidateQueries({ queryKey: ['organization', orgId, 'tickets'] });
  });

  if (!valid)
    return (
      <p className="page-error" role="alert">
        {t('shell.errors.notFound')}
      </p>
    );
  if (!organization.data) return <QueryState error={organization.error} loading={organization.isPending} />;
  const org = organization.data;

  return (
    <article className="customers-page profile-page" aria-labelledby="organization-title">
      <header className="page-header profile-header">
        <span className="avatar avatar-large org-avatar" aria-hidden="true">
          {org.name.trim().charAt(0).toUpperCase() || '?'}
        </span>
        <div className="profile-title">
          <h1 id="organization-title">{org.name}</h1>
          {org.domain_names.length > 0 && <p className="muted">{org.domain_names.join(', ')}</p>}
        </div>
      </header>
      <p role="status" className="saved-notice">
        {notice}
      </p>
      <div className="profile-layout">
        <ProfileCard
          organization={org}
          onSaved={() => setNotice(t('customers.organization.saved'))}
          onEditing={() => setNotice('')}
        />
        <div className="profile-lists">
          <OrganizationTickets organization={org} />
          <Members organization={org} />
        </div>
      </div>
    </article>
  );
}

function ProfileCard({
  organization,
  onSaved,
  onEditing,
}: {
  organization: Organization;
  onSaved: () => void;
  onEditing: () => void;
}) {
  const { me, account, isAdmin } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft, clearDraft] = useDraft<OrganizationForm | null>(
    draftKey(account.id, me.id, `organization:${organization.id}`),
    null,
  );
  const save = useMutation({
    mutationFn: async (form: OrganizationForm) => {
      const before = organizationFormFrom(organization);
      const changes: Record<string, unknown> = {};
      if (form.name !== before.name) changes.name = form.name;
      if (splitWords(form.domains).join(' ') !== before.domains)
        changes.domain_names = splitWords(form.domains);
      if (splitWords(form.tags).join(' ') !== before.tags) changes.tags = splitWords(form.tags);
      if (form.details !== before.details) changes.details = form.details.trim() || null;
      if (form.notes !== before.notes) changes.notes = form.notes.trim() || null;
      if (!Object.keys(changes).length) return organization;
      return (
        await api.put<{ organization: Organization }>(`organizations/${organization.id}`, {
          organization: changes,
        })
      ).organization;
    },
    onSuccess: (saved) => {
      clearDraft();
      queryClient.setQueryData(['organization', organization.id], saved);
      queryClient.invalidateQueries({ queryKey: ['organizations'] });
      onSaved();
    },
  });

  if (draft && isAdmin) {
    return (
      <ProfileEditForm
        headingId="org-profile-heading"
        title={t('customers.organization.editTitle', { name: organization.name })}
        onSubmit={() => save.mutate(draft)}
        pending={save.isPending}
        onDiscard={() => {
          clearDraft();
          save.reset();
        }}
      >
        <OrganizationFields form={draft} onChange={setDraft} error={save.error} />
      </ProfileEditForm>
    );
  }

  return (
    <ProfileFacts
      headingId="org-profile-heading"
      title={t('customers.organization.profile')}
      editLabel={isAdmin ? t('customers.organization.edit') : undefined}
      onEdit={() => {
        save.reset();
        onEditing();
        setDraft(organizationFormFrom(organization));
      }}
      footer={!isAdmin && <p className="hint">{t('customers.organization.adminOnly')}</p>}
    >
      <Fact label={t('customers.form.domains')}>
        {organization.domain_names.length ? (
          organization.domain_names.join(', ')
        ) : (
          <span className="muted">{t('shell.none')}</span>
        )}
      </Fact>
      <Fact label={t('customers.form.tags')}>
        <TagList tags={organization.tags} />
      </Fact>
      <TextFact label={t('customers.form.details')} text={organization.details} />
      <TextFact label={t('customers.form.notes')} text={organization.notes} />
      <Fact label={t('customers.organization.created')}>{formatDate(organization.created_at)}</Fact>
    </ProfileFacts>
  );
}

function OrganizationTickets({ organization }: { organization: Organization }) {
  const [page, setPage] = useState(1);
  const tickets = useQuery({
    queryKey: ['organization', organization.id, 'tickets', page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<TicketsAnswer>(`organizations/${organization.id}/tickets`, {
        page,
        per_page: PER_PAGE,
        sort_order: 'desc',
      }),
  });
  const title = t('customers.organization.tickets');
  return (
    <ProfileListCard
      id="org-tickets-heading"
      title={title}
      list={tickets}
      empty={
        !tickets.data?.tickets.length && t('customers.organization.noTickets', { name: organization.name })
      }
      page={page}
      onPage={setPage}
    >
      {(data) => <TicketTable tickets={data.tickets} caption={title} />}
    </ProfileListCard>
  );
}

function Members({ organization }: { organization: Organization }) {
  const [page, setPage] = useState(1);
  const members = useQuery({
    queryKey: ['organization', organization.id, 'users', page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<UsersAnswer>(`organizations/${organization.id}/users`, { page, per_page: PER_PAGE }),
  });
  const title = t('customers.organization.members');
  return (
    <ProfileListCard
      id="org-members-heading"
      title={title}
      list={members}
      empty={
        !members.data?.users.length && t('customers.organization.noMembers', { name: organization.name })
      }
      page={page}
      onPage={setPage}
    >
      {(data) => <UserTable users={data.users} caption={title} showOrganization={false} showRole />}
    </ProfileListCard>
  );
}
