import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../../components/Dialog.tsx';
import { TextInput } from '../../../components/forms.tsx';
import { t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { RecordList } from '../section.tsx';
import { AdminForm, FormActions, ProblemList, problemsOf, TitleCell, useProblems } from '../ui.tsx';
import { type RecipientAddress, RowButton, StatusText, textFields, useEmailSettings } from './shared.tsx';

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
  const settings = useEmailSettings();
  const [editing, setEditing] = useState<RecipientAddress | 'new' | null>(null);
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
  const builtIn = (a: RecipientAddress) => a.built_in;
  const system = settings.data?.inbound.system_address;
  return (
    <>
      <RecordList<RecipientAddress>
        area="email.addresses"
        records={addresses.data}
        error={addresses.error}
        columns={[t('email.addresses.address'), t('email.addresses.status'), t('email.addresses.default')]}
        name={(a) => a.email}
        cells={(a) => (
          <>
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
          </>
        )}
        actions={(a) => (
          <>
            {!builtIn(a) && a.forwarding_status !== 'verified' && (
              <RowButton
                label={t('email.addresses.verify')}
                name={t('email.addresses.verifyFor', { name: a.email })}
                disabled={verify.isPending}
                onClick={() => verify.mutate(a)}
              />
            )}
            {/* Mail goes out from the default address: only one known to reach Haven can be it. */}
            {!a.default && (builtIn(a) || a.forwarding_status === 'verified') && (
              <RowButton
                label={t('email.addresses.makeDefault')}
                name={t('email.addresses.makeDefaultFor', { name: a.email })}
                disabled={makeDefault.isPending}
                onClick={() => makeDefault.mutate(a)}
              />
            )}
          </>
        )}
        editable={(a) => !builtIn(a)}
        before={
          <>
            {system && <p className="muted">{t('email.addresses.forwarding', { system })}</p>}
            <ProblemList problems={rowError ? problemsOf(rowError, []).other : []} />
          </>
        }
        notice={notice}
        announce={setNotice}
        onEdit={(id) => setEditing(id === 'new' ? 'new' : (list.find((a) => a.id === id) ?? null))}
        onDelete={(a) => api.delete(`recipient_addresses/${a.id}`)}
        refresh={refresh}
      />
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
  const [form, setForm] = useState({ email: address?.email ?? '', name: address?.name ?? '' });
  const save = useMutation({
    mutationFn: () =>
      address
        ? api.put(`recipient_addresses/${address.id}`, { recipient_address: { name: form.name || null } })
        : api.post('recipient_addresses', {
            recipient_address: { email: form.email, name: form.name || null },
          }),
    onSuccess: () => onDone(true),
  });
  const problems = useProblems(save.error, ['email', 'name']);
  const field = textFields(form, setForm, problems);
  return (
    <AdminForm onSubmit={() => save.mutate()} problems={problems.other}>
      {!address && (
        <TextInput
          type="email"
          label={t('email.addresses.email')}
          {...field('email')}
          required
          autoComplete="off"
          spellCheck={false}
        />
      )}
      <TextInput label={t('email.addresses.name')} hint={t('email.addresses.nameHint')} {...field('name')} />
      <FormActions
        pending={save.isPending}
        submitLabel={address ? t('shell.save') : t('email.addresses.create')}
        onCancel={() => onDone(false)}
      />
    </AdminForm>
  );
}
