import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { useUsers } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import {
  AdminForm,
  AdminTable,
  ConfirmDialog,
  CopyField,
  FormActions,
  ListSection,
  useProblems,
} from './ui.tsx';

interface ApiToken {
  id: number;
  description: string;
  token_hint: string;
  created_by_id: number | null;
  created_at: string;
  last_used_at: string | null;
  token?: string;
}

/** API tokens: create (the token is shown once), see when each was last used, revoke. */
export default function ApiTokensSection() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: ['admin', 'api-tokens'],
    queryFn: () =>
      api.get<{ api_tokens: ApiToken[] }>('api_tokens', { per_page: 100 }).then((r) => r.api_tokens),
  });
  const creators = useUsers((tokens.data ?? []).map((tk) => tk.created_by_id));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'api-tokens'] });
  const list = [...(tokens.data ?? [])].sort((a, b) => b.id - a.id);
  const label = (tk: ApiToken) => tk.description || t('admin.tokens.untitled', { hint: tk.token_hint });

  return (
    <>
      <ListSection
        title={t('admin.tokens.title')}
        intro={t('admin.tokens.intro', { email: me.email ?? '' })}
        addLabel={t('admin.tokens.add')}
        onAdd={() => setCreating(true)}
        notice={notice}
        error={tokens.error}
        loading={!tokens.data}
        empty={!list.length && t('admin.tokens.empty')}
      >
        <AdminTable
          caption={t('admin.tokens.title')}
          columns={[
            t('admin.tokens.description'),
            t('admin.tokens.token'),
            t('admin.tokens.createdBy'),
            t('admin.tokens.created'),
            t('admin.tokens.lastUsed'),
          ]}
        >
          {list.map((tk) => (
            <tr key={tk.id}>
              <td>
                <strong>{label(tk)}</strong>
              </td>
              <td>
                <code>…{tk.token_hint}</code>
              </td>
              <td>
                {tk.created_by_id
                  ? (creators.data?.get(tk.created_by_id)?.name ?? `#${tk.created_by_id}`)
                  : t('admin.tokens.setup')}
              </td>
              <td title={formatDate(tk.created_at)}>{timeAgo(tk.created_at)}</td>
              <td title={formatDate(tk.last_used_at)}>
                {tk.last_used_at ? timeAgo(tk.last_used_at) : t('admin.tokens.never')}
              </td>
              <td className="admin-row-actions">
                <button
                  type="button"
                  className="button danger"
                  onClick={() => setRevoking(tk)}
                  aria-label={t('admin.tokens.revokeFor', { name: label(tk) })}
                >
                  {t('admin.tokens.revoke')}
                </button>
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>
      <Dialog title={t('admin.tokens.addTitle')} open={creating} onClose={() => setCreating(false)}>
        {creating && (
          <CreateTokenForm
            onClose={() => setCreating(false)}
            onCreated={(token) => {
              setCreating(false);
              setCreated(token);
              refresh();
            }}
          />
        )}
      </Dialog>
      <Dialog title={t('admin.tokens.createdTitle')} open={created !== null} onClose={() => setCreated(null)}>
        {created?.token && (
          <div className="admin-once">
            <p className="admin-warning">{t('admin.tokens.onceWarning')}</p>
            <CopyField
              label={t('admin.tokens.newToken')}
              value={created.token}
              hint={t('admin.tokens.usage', { email: me.email ?? '' })}
            />
          </div>
        )}
        <div className="admin-form-actions">
          <button type="button" className="button primary" onClick={() => setCreated(null)}>
            {t('admin.tokens.copiedDone')}
          </button>
        </div>
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title={t('admin.tokens.revokeTitle', { name: revoking ? label(revoking) : '' })}
        message={<p>{t('admin.tokens.revokeMessage')}</p>}
        confirmLabel={t('admin.tokens.revoke')}
        onConfirm={async () => {
          const token = revoking!;
          await api.delete(`api_tokens/${token.id}`);
          setNotice(t('admin.tokens.revoked', { name: label(token) }));
          refresh();
        }}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}

function CreateTokenForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (token: ApiToken) => void;
}) {
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<{ api_token: ApiToken }>('api_tokens', { api_token: { description } }),
    onSuccess: (r) => onCreated(r.api_token),
  });
  const problems = useProblems(create.error, ['description']);
  return (
    <AdminForm onSubmit={() => create.mutate()} problems={problems.other}>
      <TextInput
        label={t('admin.tokens.description')}
        hint={t('admin.tokens.descriptionHint')}
        value={description}
        onChange={(e) => {
          problems.edited('description');
          setDescription(e.target.value);
        }}
        error={problems.byField.description}
        autoComplete="off"
      />
      <FormActions pending={create.isPending} submitLabel={t('admin.tokens.create')} onCancel={onClose} />
    </AdminForm>
  );
}
