import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { ErrorNotice, Select, TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { formatDate } from '../../lib/format.ts';
import { useRealtimeEvent } from '../../lib/realtime.tsx';
import { useSession } from '../../lib/session.tsx';
import type { Organization, Ticket, User } from '../../lib/types.ts';
import { initials } from '../../shell/UserMenu.tsx';
import {
  detailErrors,
  Fact,
  type ListPage,
  Pager,
  PER_PAGE,
  QueryState,
  resolveOrganization,
  roleLabel,
  splitWords,
  Tabs,
  TagList,
  TicketTable,
  When,
} from './parts.tsx';
import { ContactFields, type ContactForm, ProfileEditForm, ProfileFacts, TextFact } from './screens.tsx';

interface UserAnswer {
  user: User & { suspended?: boolean };
  organizations?: Organization[];
}

interface TicketsAnswer extends ListPage {
  tickets: Ticket[];
}

type TicketKind = 'requested' | 'ccd';

/** A person's profile, its edit form, and the tickets they requested or are CC'd on. */
export default function UserPage() {
  const params = useParams<{ id: string }>();
  const userId = Number(params.id);
  const { me, isAdmin } = useSession();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState('');
  const answer = useQuery({
    queryKey: ['user', userId],
    queryFn: () => api.get<UserAnswer>(`users/${userId}`, { include: 'organizations' }),
    enabled: Number.isInteger(userId) && userId > 0,
  });

  useRealtimeEvent((event) => {
    if (event.subject_type !== 'ticket') return;
    const changes: string[] = event.payload?.changes ?? [];
    if (
      event.payload?.requester_id === userId ||
      changes.some((c) => c.includes('collaborator') || c.includes('email_cc'))
    )
      queryClient.invalidateQueries({ queryKey: ['user', userId, 'tickets'] });
  });

  if (!(Number.isInteger(userId) && userId > 0))
    return (
      <p className="page-error" role="alert">
        {t('shell.errors.notFound')}
      </p>
    );
  if (!answer.data) return <QueryState error={answer.error} loading={answer.isPending} />;
  const user = answer.data.user;
  const organization = answer.data.organizations?.find((o) => o.id === user.organization_id) ?? null;
  const canEdit = isAdmin || user.role === 'end-user' || user.id === me.id;

  return (
    <article className="customers-page profile-page" aria-labelledby="user-title">
      <header className="page-header profile-header">
        <span className="avatar avatar-large" aria-hidden="true">
          {initials(user.name)}
        </span>
        <div className="profile-title">
          <h1 id="user-title">{user.name}</h1>
          <p className="muted">
            {roleLabel(user.role)}
            {user.email && <> · {user.email}</>}
            {!user.active && <span className="pill warn-pill">{t('customers.user.inactive')}</span>}
            {user.suspended && <span className="pill warn-pill">{t('customers.user.suspended')}</span>}
          </p>
        </div>
      </header>
      <p role="status" className="saved-notice">
        {notice}
      </p>
      <div className="profile-layout">
        <ProfileCard
          user={user}
          organization={organization}
          canEdit={canEdit}
          canChangeRole={isAdmin}
          onSaved={() => setNotice(t('customers.user.saved'))}
          onEditing={() => setNotice('')}
        />
        <UserTickets user={user} />
      </div>
    </article>
  );
}

interface UserForm extends ContactForm {
  tags: string;
  time_zone: string;
  role: User['role'];
  details: string;
  notes: string;
}

function formFrom(user: User, organization: Organization | null): UserForm {
  return {
    name: user.name,
    email: user.email ?? '',
    phone: user.phone ?? '',
    organization: organization?.name ?? '',
    tags: user.tags.join(' '),
    time_zone: user.time_zone,
    role: user.role,
    details: user.details ?? '',
    notes: user.notes ?? '',
  };
}

function timeZones(current: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(current) ? zones : [current, ...zones];
}

const LABELS = () => ({
  name: t('customers.form.name'),
  email: t('customers.form.email'),
  phone: t('customers.form.phone'),
  organization_id: t('customers.form.organization'),
  tags: t('customers.form.tags'),
  time_zone: t('customers.form.timeZone'),
  role: t('customers.form.role'),
  details: t('customers.form.details'),
  notes: t('customers.form.notes'),
});

/**
 * The profile, or its edit form. Edits are a draft (kept across reloads and failed saves) until Haven
 * accepts them; only the fields that changed are sent, so an agent's save never touches what they left alone.
 */
function ProfileCard({
  user,
  organization,
  canEdit,
  canChangeRole,
  onSaved,
  onEditing,
}: {
  user: User;
  organization: Organization | null;
  canEdit: boolean;
  canChangeRole: boolean;
  onSaved: () => void;
  onEditing: () => void;
}) {
  const { me, account } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft, clearDraft] = useDraft<UserForm | null>(
    draftKey(account.id, me.id, `user:${user.id}`),
    null,
  );
  const [orgMissing, setOrgMissing] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async (form: UserForm) => {
      const before = formFrom(user, organization);
      const changes: Record<string, unknown> = {};
      if (form.name !== before.name) changes.name = form.name;
      if (form.email.trim() && form.email.trim() !== before.email) changes.email = form.email.trim();
      if (form.phone.trim() !== before.phone) changes.phone = form.phone.trim() || null;
      if (form.organization.trim() !== before.organization) {
        const organizationId = await resolveOrganization(form.organization, organization);
        if (organizationId === undefined) {
          setOrgMissing(t('customers.form.noSuchOrganization', { name: form.organization.trim() }));
          return null;
        }
        changes.organization_id = organizationId;
      }
      setOrgMissing(null);
      if (splitWords(form.tags).join(' ') !== before.tags) changes.tags = splitWords(form.tags);
      if (form.time_zone !== before.time_zone) changes.time_zone = form.time_zone;
      if (form.role !== before.role) changes.role = form.role;
      if (form.details !== before.details) changes.details = form.details.trim() || null;
      if (form.notes !== before.notes) changes.notes = form.notes.trim() || null;
      if (!Object.keys(changes).length) return user;
      return (await api.put<{ user: User }>(`users/${user.id}`, { user: changes })).user;
    },
    onSuccess: (saved) => {
      if (!saved) return;
      clearDraft();
      queryClient.invalidateQueries({ queryKey: ['user', user.id] });
      queryClient.invalidateQueries({ queryKey: ['users'] });
      queryClient.invalidateQueries({ queryKey: ['customers'] });
      queryClient.invalidateQueries({ queryKey: ['organization'] });
      onSaved();
    },
  });
  const { byField, rest } = detailErrors(save.error, LABELS(), { tags: splitWords(draft?.tags ?? '') });

  if (!draft) {
    return (
      <ProfileFacts
        headingId="profile-heading"
        title={t('customers.user.profile')}
        editLabel={canEdit ? t('customers.user.edit') : undefined}
        onEdit={() => {
          save.reset();
          onEditing();
          setDraft(formFrom(user, organization));
        }}
      >
        <Fact label={t('customers.form.email')}>
          {user.email ?? <span className="muted">{t('customers.noEmail')}</span>}
        </Fact>
        <Fact label={t('customers.form.phone')}>
          {user.phone ?? <span className="muted">{t('shell.none')}</span>}
        </Fact>
        <Fact label={t('customers.form.organization')}>
          {organization ? (
            <Link href={`/organizations/${organization.id}`}>{organization.name}</Link>
          ) : (
            <span className="muted">{t('shell.none')}</span>
          )}
        </Fact>
        <Fact label={t('customers.form.role')}>{roleLabel(user.role)}</Fact>
        <Fact label={t('customers.form.tags')}>
          <TagList tags={user.tags} />
        </Fact>
        <Fact label={t('customers.form.timeZone')}>{user.time_zone}</Fact>
        <TextFact label={t('customers.form.details')} text={user.details} />
        <TextFact label={t('customers.form.notes')} text={user.notes} />
        <Fact label={t('customers.user.created')}>{formatDate(user.created_at)}</Fact>
        <Fact label={t('customers.user.lastLogin')}>
          <When iso={user.last_login_at} />
        </Fact>
      </ProfileFacts>
    );
  }

  const set = (patch: Partial<UserForm>) => setDraft({ ...draft, ...patch });
  return (
    <ProfileEditForm
      headingId="profile-heading"
      title={t('customers.user.editTitle', { name: user.name })}
      onSubmit={() => save.mutate(draft)}
      pending={save.isPending}
      onDiscard={() => {
        clearDraft();
        save.reset();
        setOrgMissing(null);
      }}
    >
      <ContactFields form={draft} set={set} byField={byField} organizationError={orgMissing} />
      <TextInput
        label={t('customers.form.tags')}
        hint={t('customers.form.tagsHint')}
        value={draft.tags}
        onChange={(e) => set({ tags: e.target.value })}
        error={byField.tags}
        autoComplete="off"
      />
      <Select
        label={t('customers.form.timeZone')}
        value={draft.time_zone}
        onChange={(e) => set({ time_zone: e.target.value })}
        error={byField.time_zone}
        options={timeZones(draft.time_zone).map((zone) => ({ value: zone, label: zone }))}
      />
      {canChangeRole && (
        <Select
          label={t('customers.form.role')}
          value={draft.role}
          onChange={(e) => set({ role: e.target.value as User['role'] })}
          error={byField.role}
          options={(['end-user', 'agent', 'admin'] as const).map((role) => ({
            value: role,
            label: roleLabel(role),
          }))}
        />
      )}
      <TextArea
        label={t('customers.form.details')}
        hint={t('customers.form.detailsHint')}
        value={draft.details}
        onChange={(e) => set({ details: e.target.value })}
        error={byField.details}
      />
      <TextArea
        label={t('customers.form.notes')}
        hint={t('customers.form.notesHint')}
        value={draft.notes}
        onChange={(e) => set({ notes: e.target.value })}
        error={byField.notes}
      />
      <ErrorNotice error={rest} />
    </ProfileEditForm>
  );
}

function useUserTickets(userId: number, kind: TicketKind, page: number) {
  return useQuery({
    queryKey: ['user', userId, 'tickets', kind, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      api.get<TicketsAnswer>(`users/${userId}/tickets/${kind}`, {
        page,
        per_page: PER_PAGE,
        sort_order: 'desc',
      }),
  });
}

function UserTickets({ user }: { user: User }) {
  const [kind, setKind] = useState<TicketKind>('requested');
  const [pages, setPages] = useState<Record<TicketKind, number>>({ requested: 1, ccd: 1 });
  const requested = useUserTickets(user.id, 'requested', pages.requested);
  const ccd = useUserTickets(user.id, 'ccd', pages.ccd);
  const current = kind === 'requested' ? requested : ccd;
  const labels: Record<TicketKind, string> = {
    requested: t('customers.user.requested'),
    ccd: t('customers.user.ccd'),
  };
  return (
    <section className="card tickets-card" aria-labelledby="user-tickets-heading">
      <h2 id="user-tickets-heading">{t('customers.user.tickets')}</h2>
      <Tabs
        label={t('customers.user.tickets')}
        selected={kind}
        onSelect={setKind}
        tabs={(['requested', 'ccd'] as const).map((k) => ({
          id: k,
          label: labels[k],
          count: (k === 'requested' ? requested : ccd).data?.count,
        }))}
      >
        <QueryState error={current.error} loading={current.isPending} />
        {current.data &&
          (current.data.tickets.length ? (
            <TicketTable
              tickets={current.data.tickets}
              caption={labels[kind]}
              showRequester={kind === 'ccd'}
            />
          ) : (
            <p className="muted empty">
              {kind === 'requested'
                ? t('customers.user.noRequested', { name: user.name })
                : t('customers.user.noCcd', { name: user.name })}
            </p>
          ))}
        <Pager
          label={labels[kind]}
          page={pages[kind]}
          hasNext={Boolean(current.data?.next_page)}
          onPage={(page) => setPages({ ...pages, [kind]: page })}
        />
      </Tabs>
    </section>
  );
}
