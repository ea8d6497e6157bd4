import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { TextArea, TextInput } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useAgents, useGroupMemberships, useGroups } from '../../lib/queries.ts';
import type { Group, User } from '../../lib/types.ts';
import {
  AdminForm,
  ConfirmDialog,
  FormActions,
  ListSection,
  ProblemList,
  problemsOf,
  useProblems,
} from './ui.tsx';

interface Membership {
  id: number;
  user_id: number;
  group_id: number;
  default: boolean;
}

/** Groups of agents: create, rename, delete, and who is in each. */
export default function GroupsSection() {
  const queryClient = useQueryClient();
  const groups = useGroups();
  const memberships = useGroupMemberships();
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [notice, setNotice] = useState('');
  const list = (groups.data ?? []).filter((g) => !g.deleted);

  const countOf = (groupId: number) => (memberships.data ?? []).filter((m) => m.group_id === groupId).length;

  return (
    <>
      <ListSection
        title={t('admin.groups.title')}
        intro={t('admin.groups.intro')}
        addLabel={t('admin.groups.add')}
        onAdd={() => setEditing('new')}
        notice={notice}
        error={groups.error}
        loading={!groups.data}
        empty={!list.length && t('admin.groups.empty')}
      >
        <ul className="admin-cards">
          {list.map((g) => (
            <li key={g.id} className="card admin-group">
              <div className="admin-group-head">
                <div>
                  <h2>
                    {g.name} {g.default && <span className="pill">{t('admin.groups.default')}</span>}
                  </h2>
                  {g.description && <p className="muted admin-sub">{g.description}</p>}
                  <p className="muted admin-sub">{plural('admin.groups.members', countOf(g.id))}</p>
                </div>
                <div className="admin-row-actions">
                  <button
                    type="button"
                    className="button"
                    aria-expanded={open === g.id}
                    aria-controls={`group-members-${g.id}`}
                    onClick={() => setOpen(open === g.id ? null : g.id)}
                  >
                    {t('admin.groups.manageMembers')}
                    <span className="visually-hidden"> {g.name}</span>
                  </button>
                  <button
                    type="button"
                    className="button"
                    onClick={() => setEditing(g)}
                    aria-label={t('admin.groups.renameFor', { name: g.name })}
                  >
                    {t('admin.groups.rename')}
                  </button>
                  <button
                    type="button"
                    className="button danger"
                    onClick={() => setDeleting(g)}
                    aria-label={t('admin.groups.deleteFor', { name: g.name })}
                  >
                    {t('shell.delete')}
                  </button>
                </div>
              </div>
              {open === g.id && <GroupMembers group={g} />}
            </li>
          ))}
        </ul>
      </ListSection>
      <GroupDialog
        group={editing}
        onClose={() => setEditing(null)}
        onSaved={(saved, isNew) => {
          setEditing(null);
          setNotice(t(isNew ? 'admin.groups.created' : 'admin.groups.renamed', { name: saved.name }));
          queryClient.invalidateQueries({ queryKey: ['groups'] });
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.groups.deleteTitle', { name: deleting?.name ?? '' })}
        message={<p>{t('admin.groups.deleteMessage', { name: deleting?.name ?? '' })}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const group = deleting!;
          await api.delete(`groups/${group.id}`);
          setNotice(t('admin.groups.deleted', { name: group.name }));
          queryClient.invalidateQueries({ queryKey: ['groups'] });
          queryClient.invalidateQueries({ queryKey: ['group_memberships'] });
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function GroupDialog({
  group,
  onClose,
  onSaved,
}: {
  group: Group | 'new' | null;
  onClose: () => void;
  onSaved: (group: Group, isNew: boolean) => void;
}) {
  const isNew = group === 'new';
  return (
    <Dialog
      title={isNew ? t('admin.groups.addTitle') : t('admin.groups.editTitle')}
      open={group !== null}
      onClose={onClose}
    >
      {group !== null && (
        <GroupForm
          key={isNew ? 'new' : group.id}
          group={isNew ? null : group}
          onClose={onClose}
          onSaved={onSaved}
        />
      )}
    </Dialog>
  );
}

function GroupForm({
  group,
  onClose,
  onSaved,
}: {
  group: Group | null;
  onClose: () => void;
  onSaved: (group: Group, isNew: boolean) => void;
}) {
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const save = useMutation({
    mutationFn: () => {
      const body = { group: { name, description } };
      return group
        ? api.put<{ group: Group }>(`groups/${group.id}`, body)
        : api.post<{ group: Group }>('groups', body);
    },
    onSuccess: (r) => onSaved(r.group, !group),
  });
  const problems = useProblems(save.error, ['name', 'description']);
  return (
    <AdminForm onSubmit={() => save.mutate()} problems={problems.other}>
      <TextInput
        label={t('admin.groups.name')}
        value={name}
        onChange={(e) => {
          problems.edited('name');
          setName(e.target.value);
        }}
        error={problems.byField.name}
        required
      />
      <TextArea
        label={t('admin.groups.description')}
        value={description}
        onChange={(e) => {
          problems.edited('description');
          setDescription(e.target.value);
        }}
        error={problems.byField.description}
        rows={3}
      />
      <FormActions pending={save.isPending} submitLabel={t('shell.save')} onCancel={onClose} />
    </AdminForm>
  );
}

function GroupMembers({ group }: { group: Group }) {
  const queryClient = useQueryClient();
  const agents = useAgents();
  const members = useQuery({
    queryKey: ['admin', 'group-members', group.id],
    queryFn: () =>
      api.get<{ group_memberships: Membership[]; users?: User[] }>(`groups/${group.id}/memberships`, {
        include: 'users',
        per_page: 100,
      }),
  });
  const [adding, setAdding] = useState('');
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['admin', 'group-members', group.id] });
    queryClient.invalidateQueries({ queryKey: ['group_memberships'] });
  };
  const add = useMutation({
    mutationFn: (userId: number) =>
      api.post('group_memberships', { group_membership: { user_id: userId, group_id: group.id } }),
    onSuccess: () => {
      setAdding('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (membershipId: number) => api.delete(`group_memberships/${membershipId}`),
    onSuccess: refresh,
  });

  const users = new Map((members.data?.users ?? []).map((u) => [u.id, u]));
  const rows = members.data?.group_memberships ?? [];
  const inGroup = new Set(rows.map((m) => m.user_id));
  // Deactivated people cannot work tickets, so they are not offered.
  const candidates = (agents.data ?? []).filter(
    (a) => !inGroup.has(a.id) && !(a as User & { suspended?: boolean }).suspended,
  );
  const error = add.error ?? remove.error ?? members.error;

  return (
    <div className="admin-members" id={`group-members-${group.id}`}>
      <ProblemList problems={error ? problemsOf(error, []).other : []} />
      {!members.data ? (
        <p className="loading">{t('shell.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t('admin.groups.noMembers')}</p>
      ) : (
        <ul className="admin-member-list">
          {rows.map((m) => {
            const user = users.get(m.user_id);
            const name = user?.name ?? `#${m.user_id}`;
            return (
              <li key={m.id}>
                <span>
                  {name} {user?.email && <span className="muted">{user.email}</span>}
                </span>
                <button
                  type="button"
                  className="link-button"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(m.id)}
                  aria-label={t('admin.groups.removeMember', { name, group: group.name })}
                >
                  {t('admin.remove')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {candidates.length > 0 && (
        <form
          className="admin-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding) add.mutate(Number(adding));
          }}
        >
          <label htmlFor={`add-member-${group.id}`}>{t('admin.groups.addMember')}</label>
          <select id={`add-member-${group.id}`} value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t('admin.groups.chooseAgent')}</option>
            {candidates.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <button type="submit" className="button" disabled={!adding || add.isPending}>
            {t('admin.add')}
          </button>
        </form>
      )}
    </div>
  );
}
