import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../../components/Dialog.tsx';
import { TextInput } from '../../../components/forms.tsx';
import { t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import {
  AdminForm,
  AdminTable,
  DeleteDialog,
  FormActions,
  ListSection,
  ProblemList,
  problemsOf,
  TitleCell,
  useProblems,
} from '../ui.tsx';
import { type EmailSettings, type RecipientAddress, StatusText, settingsKey } from './shared.tsx';

const listKey = ['admin', 'recipient-addresses'] as const;

/** Support addresses: the built-in one and those an admin adds, each verified by a confirmation mail. */
export default function AddressesSection() {
  const queryClient = useQueryClient();
  const addresses = useQuery({
    queryKey: listKey,
    queryFn: () =>
      api
        .get<{ recipient_addresses: RecipientAddress[] }>('recipient_addresses', { 'page[size]': 100 })
        .then((r) => r.recipient_addresses),
  });
  const settings = useQuery({
    queryKey: settingsKey,
    queryFn: () => api.get<{ email_settings: EmailSettings }>('email/settings').then((r) => r.email_settings),
  });
  const [editing, setEditing] = useState<RecipientAddress | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RecipientAddress | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });
  const verify = useMutation({
    mutationFn: (a: RecipientAddress) => api.put(`recipient_addresses/${a.id}/verify`),
    onSuccess: (_, a) => {
      setNotice(t('email.addresses.verifySent', { name: a.email }));
      refresh();
    },
  });
  const makeDefault = useMutation({
    mutationFn: (a: RecipientAddress) =>
      api.put(`recipient_addresses/${a.id}`, { recipient_address: { default: true } }),
    onSuccess: (_, a) => {
      setNotice(t('email.addresses.madeDefault', { name: a.email }));
      refresh();
    },
  });
  const rowError = verify.error ?? makeDefault.error;
  const list = addresses.data ?? [];
  const builtIn = (a: RecipientAddress) =>
    a.built_in ?? (settings.data ? a.email === settings.data.inbound.system_address : false);
  const system = settings.data?.inbound.system_address;
  return (
    <>
      <ListSection
        title={t('email.addresses.title')}
        intro={t('email.addresses.intro')}
        addLabel={t('email.addresses.add')}
        onAdd={() => setEditing('new')}
        notice={notice}
        before={
          <>
            {system && <p className="muted">{t('email.addresses.forwarding', { system })}</p>}
            <ProblemList problems={rowError ? problemsOf(rowError, []).other : []} />
          </>
        }
        error={addresses.error}
        loading={!addresses.data}
        empty={!list.length && t('email.addresses.empty')}
      >
        <AdminTable
          caption={t('email.addresses.title')}
          columns={[t('email.addresses.address'), t('email.addresses.status'), t('email.addresses.default')]}
        >
          {list.map((a) => (
            <tr key={a.id}>
              <TitleCell title={a.email} sub={a.name} />
              <td>
                {builtIn(a) ? (
                  <span title={t('email.addresses.builtInHint')}>{t('email.addresses.builtIn')}</span>
                ) : (
                  <StatusText area="addresses.forwardingStatus" status={a.forwarding_status} />
                )}
              </td>
              <td>
                {a.default ? <span className="admin-state-ok">{t('email.addresses.default')}</span> : null}
              </td>
              <td className="admin-row-actions">
                {!builtIn(a) && a.forwarding_status !== 'verified' && (
                  <button
                    type="button"
                    className="button"
                    disabled={verify.isPending}
                    onClick={() => verify.mutate(a)}
                    aria-label={t('email.addresses.verifyFor', { name: a.email })}
                  >
                    {t('email.addresses.verify')}
                  </button>
                )}
                {/* Mail goes out from the default address: only one known to reach Haven can be it. */}
                {!a.default && (builtIn(a) || a.forwarding_status === 'verified') && (
                  <button
                    type="button"
                    className="button"
                    disabled={makeDefault.isPending}
                    onClick={() => makeDefault.mutate(a)}
                    aria-label={t('email.addresses.makeDefaultFor', { name: a.email })}
                  >
                    {t('email.addresses.makeDefault')}
                  </button>
                )}
                {!builtIn(a) && (
                  <>
                    <button
                      type="button"
                      className="button"
                      onClick={() => setEditing(a)}
                      aria-label={t('admin.editNamed', { name: a.email })}
                    >
                      {t('shell.edit')}
                    </button>
                    <button
                      type="button"
                      className="button danger"
                      onClick={() => setDeleting(a)}
                      aria-label={t('admin.deleteNamed', { name: a.email })}
                    >
                      {t('shell.delete')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>
      <Dialog
        title={
          editing === 'new' || editing === null
            ? t('email.addresses.addTitle')
            : t('email.addresses.editTitle', { name: editing.email })
        }
        open={editing !== null}
        onClose={() => setEditing(null)}
      >
        {editing !== null && (
          <AddressForm
            address={editing === 'new' ? null : editing}
            onDone={(saved) => {
              setEditing(null);
              if (saved) {
                setNotice(t('shell.saved'));
                refresh();
              }
            }}
          />
        )}
      </Dialog>
      <DeleteDialog
        row={deleting}
        name={(a) => a.email}
        title="email.addresses.deleteTitle"
        message="email.addresses.deleteMessage"
        onDelete={(a) => api.delete(`recipient_addresses/${a.id}`)}
        onDeleted={(deleted) => {
          setNotice(deleted);
          return refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function AddressForm({
  address,
  onDone,
}: {
  address: RecipientAddress | null;
  onDone: (saved: boolean) => void;
}) {
  const [email, setEmail] = useState(address?.email ?? '');
  const [name, setName] = useState(address?.name ?? '');
  const save = useMutation({
    mutationFn: () =>
      address
        ? api.put(`recipient_addresses/${address.id}`, { recipient_address: { name: name || null } })
        : api.post('recipient_addresses', { recipient_address: { email, name: name || null } }),
    onSuccess: () => onDone(true),
  });
  const problems = useProblems(save.error, ['email', 'name']);
  return (
    <AdminForm onSubmit={() => save.mutate()} problems={problems.other}>
      {!address && (
        <TextInput
          type="email"
          label={t('email.addresses.email')}
          value={email}
          onChange={(e) => {
            problems.edited('email');
            setEmail(e.target.value);
          }}
          error={problems.byField.email}
          required
          autoComplete="off"
          spellCheck={false}
        />
      )}
      <TextInput
        label={t('email.addresses.name')}
        hint={t('email.addresses.nameHint')}
        value={name}
        onChange={(e) => {
          problems.edited('name');
          setName(e.target.value);
        }}
        error={problems.byField.name}
      />
      <FormActions
        pending={save.isPending}
        submitLabel={address ? t('shell.save') : t('email.addresses.create')}
        onCancel={() => onDone(false)}
      />
    </AdminForm>
  );
}
