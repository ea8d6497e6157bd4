import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { Select, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useGroupMemberships, useGroups } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import type { User } from '../../lib/types.ts';
import {
  AdminTable,
  ConfirmDialog,
  CopyField,
  ListSection,
  ProblemList,
  problemsOf,
  useProblems,
} from './ui.tsx';

type Member = User & { suspended: boolean; verified: boolean };

export interface Invitation {
  user_id: number;
  email: string;
  delivered: boolean;
  url: string | null;
  expires_at: string | null;
}

const ROLES = ['agent', 'admin'] as const;

function useTeam() {
  return useQuery({
    queryKey: ['admin', 'team'],
    queryFn: async () => {
      const [admins, agents] = await Promise.all([
        api.get<{ users: Member[] }>('users', { role: 'admin', per_page: 100 }),
        api.get<{ users: Member[] }>('users', { role: 'agent', per_page: 100 }),
      ]);
      return [...admins.users, ...agents.users].sort((a, b) => a.name.localeCompare(b.name));
    },
  });
}

/** Agents and admins: invite, change role, deactivate and reactivate. */
export default function TeamSection() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const team = useTeam();
  const groups = useGroups();
  const memberships = useGroupMemberships();
  const [inviting, setInviting] = useState(false);
  const [invitation, setInvitation] = useState<{ name: string; invitation: Invitation } | null>(null);
  const [deactivating, setDeactivating] = useState<Member | null>(null);
  const [rowError, setRowError] = useState<{ user: Member; error: unknown } | null>(null);
  const [notice, setNotice] = useState('');

  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['admin', 'team'] });
    queryClient.invalidateQueries({ queryKey: ['agents'] });
    queryClient.invalidateQueries({ queryKey: ['group_memberships'] });
  };

  const update = useMutation({
    mutationFn: ({ user, changes }: { user: Member; changes: Partial<Member> }) =>
      api.put<{ user: Member }>(`users/${user.id}`, { user: changes }),
    onMutate: () => setRowError(null),
    onSuccess: ({ user }, { changes }) => {
      if (changes.role)
        setNotice(t('admin.team.roleChanged', { name: user.name, role: roleLabel(user.role) }));
      else if (changes.suspended === false) setNotice(t('admin.team.reactivated', { name: user.name }));
      refresh();
    },
    onError: (error, { user }) => setRowError({ user, error }),
  });

  const resend = useMutation({
    mutationFn: (user: Member) =>
      api.post<{ invitation: Invitation }>(`users/${user.id}/invitation`).then((r) => ({
        name: user.name,
        invitation: r.invitation,
      })),
    onMutate: () => setRowError(null),
    onSuccess: (result) => setInvitation(result),
    onError: (error, user) => setRowError({ user, error }),
  });

  const groupNames = (userId: number) => {
    const ids = (memberships.data ?? []).filter((m) => m.user_id === userId).map((m) => m.group_id);
    return (groups.data ?? [])
      .filter((g) => ids.includes(g.id) && !g.deleted)
      .map((g) => g.name)
      .join(', ');
  };

  return (
    <>
      <ListSection
        title={t('admin.team.title')}
        intro={t('admin.team.intro')}
        addLabel={t('admin.team.invite')}
        onAdd={() => setInviting(true)}
        notice={notice}
        before={
          rowError && (
            <div className="error-notice admin-problems" role="alert">
              <p>
                {t('admin.team.rowFailed', { name: rowError.user.name })}{' '}
                {problemsOf(rowError.error, []).other.join(' ')}
              </p>
            </div>
          )
        }
        error={team.error}
        loading={!team.data}
      >
        <AdminTable
          caption={t('admin.team.title')}
          columns={[
            t('admin.team.name'),
            t('admin.team.role'),
            t('admin.team.groups'),
            t('admin.team.status'),
          ]}
        >
          {(team.data ?? []).map((user) => (
            <tr key={user.id} className={user.suspended ? 'admin-inactive' : undefined}>
              <td>
                <strong>{user.name}</strong>
                {user.id === me.id && <span className="muted"> {t('admin.team.you')}</span>}
                <div className="muted admin-sub">{user.email}</div>
              </td>
              <td>
                <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                  {t('admin.team.roleFor', { name: user.name })}
                </label>
                <select
                  id={`role-${user.id}`}
                  value={user.role}
                  disabled={update.isPending}
                  onChange={(e) =>
                    update.mutate({ user, changes: { role: e.target.value as Member['role'] } })
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {roleLabel(r)}
                    </option>
                  ))}
                </select>
              </td>
              <td>{groupNames(user.id) || <span className="muted">{t('shell.none')}</span>}</td>
              <td>
                {user.suspended ? (
                  <span className="pill admin-pill-off">{t('admin.team.deactivated')}</span>
                ) : user.last_login_at ? (
                  <span className="muted" title={formatDate(user.last_login_at)}>
                    {t('admin.team.lastSeen', { when: timeAgo(user.last_login_at) })}
                  </span>
                ) : (
                  <span className="pill">{t('admin.team.invited')}</span>
                )}
              </td>
              <td className="admin-row-actions">
                {!user.suspended && !user.last_login_at && (
                  <button
                    type="button"
                    className="button"
                    disabled={resend.isPending}
                    onClick={() => resend.mutate(user)}
                    aria-label={t('admin.team.resendFor', { name: user.name })}
                  >
                    {t('admin.team.resend')}
                  </button>
                )}
                {user.suspended ? (
                  <button
                    type="button"
                    className="button"
                    disabled={update.isPending}
                    onClick={() => update.mutate({ user, changes: { suspended: false } })}
                    aria-label={t('admin.team.reactivateFor', { name: user.name })}
                  >
                    {t('admin.team.reactivate')}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button danger"
                    onClick={() => setDeactivating(user)}
                    aria-label={t('admin.team.deactivateFor', { name: user.name })}
                  >
                    {t('admin.team.deactivate')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>

      <InviteDialog
        open={inviting}
        onClose={() => setInviting(false)}
        onInvited={(result) => {
          setInviting(false);
          setInvitation(result);
          refresh();
        }}
        onPartial={refresh}
      />
      <Dialog
        title={t('admin.team.invitationTitle')}
        open={invitation !== null}
        onClose={() => setInvitation(null)}
      >
        {invitation && <InvitationResult name={invitation.name} invitation={invitation.invitation} />}
        <div className="admin-form-actions">
          <button type="button" className="button primary" onClick={() => setInvitation(null)}>
            {t('admin.done')}
          </button>
        </div>
      </Dialog>
      <ConfirmDialog
        open={deactivating !== null}
        title={t('admin.team.deactivateTitle', { name: deactivating?.name ?? '' })}
        message={<p>{t('admin.team.deactivateMessage', { name: deactivating?.name ?? '' })}</p>}
        confirmLabel={t('admin.team.deactivate')}
        onConfirm={async () => {
          const user = deactivating!;
          await api.put(`users/${user.id}`, { user: { suspended: true } });
          setNotice(t('admin.team.deactivatedNotice', { name: user.name }));
          refresh();
        }}
        onClose={() => setDeactivating(null)}
      />
    </>
  );
}

function roleLabel(role: string): string {
  return role === 'admin' ? t('admin.team.roleAdmin') : t('admin.team.roleAgent');
}

/** What happened to an invitation: emailed, or a link to pass on by hand when Haven cannot send mail. */
function InvitationResult({ name, invitation }: { name: string; invitation: Invitation }) {
  const expires = invitation.expires_at ? formatDate(invitation.expires_at) : '';
  if (invitation.delivered) {
    return (
      <p role="status">
        {t('admin.team.invitationSent', { email: invitation.email })}{' '}
        {expires && t('admin.team.invitationExpires', { date: expires })}
      </p>
    );
  }
  return (
    <div className="admin-once">
      <p className="admin-warning">{t('admin.team.noMail', { name })}</p>
      {invitation.url && (
        <CopyField
          label={t('admin.team.invitationLink')}
          value={invitation.url}
          hint={
            expires
              ? `${t('admin.team.invitationExpires', { date: expires })} ${t('admin.team.linkOnce')}`
              : t('admin.team.linkOnce')
          }
        />
      )}
    </div>
  );
}

interface InviteForm {
  name: string;
  email: string;
  role: 'agent' | 'admin';
  groupIds: number[];
}

const EMPTY_INVITE: InviteForm = { name: '', email: '', role: 'agent', groupIds: [] };

/**
 * Invites in three steps: the user, the invitation, their groups. If a later step fails the user already
 * exists, so a retry continues from where it stopped rather than failing on "email already taken".
 */
function InviteDialog({
  open,
  onClose,
  onInvited,
  onPartial,
}: {
  open: boolean;
  onClose: () => void;
  onInvited: (result: { name: string; invitation: Invitation }) => void;
  onPartial: () => void;
}) {
  const groups = useGroups();
  const [form, setForm] = useState<InviteForm>(EMPTY_INVITE);
  const [created, setCreated] = useState<Member | null>(null);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const [joined, setJoined] = useState<number[]>([]);

  const invite = useMutation({
    mutationFn: async () => {
      let user = created;
      if (!user) {
        user = (
          await api.post<{ user: Member }>('users', {
            user: { name: form.name, email: form.email, role: form.role, verified: false },
          })
        ).user;
        setCreated(user);
        onPartial();
      }
      let sent = invitation;
      if (!sent) {
        sent = (await api.post<{ invitation: Invitation }>(`users/${user.id}/invitation`)).invitation;
        setInvitation(sent);
      }
      const done = [...joined];
      for (const groupId of form.groupIds) {
        if (done.includes(groupId)) continue;
        await api.post('group_memberships', { group_membership: { user_id: user.id, group_id: groupId } });
        done.push(groupId);
        setJoined([...done]);
      }
      return { name: user.name, invitation: sent };
    },
    onSuccess: (result) => {
      reset();
      onInvited(result);
    },
  });

  const reset = () => {
    setForm(EMPTY_INVITE);
    setCreated(null);
    setInvitation(null);
    setJoined([]);
    invite.reset();
  };
  const problems = useProblems(invite.error, ['name', 'email', 'role']);
  const set = (patch: Partial<InviteForm>) => {
    problems.edited(...Object.keys(patch));
    setForm((f) => ({ ...f, ...patch }));
  };
  const activeGroups = (groups.data ?? []).filter((g) => !g.deleted);

  return (
    <Dialog
      title={t('admin.team.inviteTitle')}
      open={open}
      onClose={() => {
        if (created) reset();
        onClose();
      }}
    >
      <form
        className="admin-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        {created && <p className="admin-warning">{t('admin.team.partial', { name: created.name })}</p>}
        <ProblemList problems={problems.other} />
        <TextInput
          label={t('admin.team.name')}
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
          error={problems.byField.name}
          disabled={!!created}
          autoComplete="off"
          required
        />
        <TextInput
          label={t('admin.team.email')}
          type="email"
          value={form.email}
          onChange={(e) => set({ email: e.target.value })}
          error={problems.byField.email}
          disabled={!!created}
          autoComplete="off"
          required
        />
        <Select
          label={t('admin.team.role')}
          hint={t('admin.team.roleHint')}
          value={form.role}
          onChange={(e) => set({ role: e.target.value as InviteForm['role'] })}
          options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))}
          error={problems.byField.role}
          disabled={!!created}
        />
        {activeGroups.length > 0 && (
          <fieldset className="admin-fieldset">
            <legend>{t('admin.team.groups')}</legend>
            {activeGroups.map((g) => (
              <label key={g.id} className="admin-check-inline">
                <input
                  type="checkbox"
                  checked={form.groupIds.includes(g.id)}
                  onChange={(e) =>
                    set({
                      groupIds: e.target.checked
                        ? [...form.groupIds, g.id]
                        : form.groupIds.filter((id) => id !== g.id),
                    })
                  }
                />{' '}
                {g.name}
              </label>
            ))}
          </fieldset>
        )}
        <div className="admin-form-actions">
          <button type="submit" className="button primary" disabled={invite.isPending}>
            {invite.isPending ? t('admin.team.inviting') : t('admin.team.sendInvite')}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              if (created) reset();
              onClose();
            }}
          >
            {t('shell.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
