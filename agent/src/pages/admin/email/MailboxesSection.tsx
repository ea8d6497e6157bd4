import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Select, TextInput } from '../../../components/forms.tsx';
import { plural, t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { EditorGate, RecordList, useEditParam, useRecord } from '../section.tsx';
import { Checkbox, EditorForm, ProblemList, problemsOf, TitleCell, useProblems } from '../ui.tsx';
import { RowButton, StatusText, textFields, When } from './shared.tsx';

interface ImapConnection {
  id: number;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string;
  mailbox: string;
  after_processing: 'seen' | 'move' | 'delete';
  move_to: string | null;
  active: boolean;
  status: 'pending' | 'connected' | 'error';
  last_error: string | null;
  last_polled_at: string | null;
}

const PATH = 'email/imap_connections';
const listKey = ['admin', 'imap-connections'] as const;

/** Mailboxes Haven fetches mail from over IMAP: their state, a connection test and a "check now". */
export default function MailboxesSection() {
  const { edit, open, close } = useEditParam('email-mailboxes');
  if (edit) return <MailboxEditor key={edit} id={edit === 'new' ? null : edit} onDone={close} />;
  return <MailboxList onEdit={open} />;
}

function MailboxList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const queryClient = useQueryClient();
  const connections = useQuery({
    queryKey: listKey,
    queryFn: () => api.get<{ imap_connections: ImapConnection[] }>(PATH).then((r) => r.imap_connections),
    refetchInterval: 10_000,
  });
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });
  const poll = useMutation({
    mutationFn: (c: ImapConnection) => api.post(`${PATH}/${c.id}/poll`),
    onSuccess: (_, c) => {
      setNotice(t('email.mailboxes.polled', { name: c.name }));
      refresh();
    },
  });
  return (
    <RecordList<ImapConnection>
      area="email.mailboxes"
      records={connections.data}
      error={connections.error}
      columns={[t('email.mailboxes.name'), t('email.mailboxes.status'), t('email.mailboxes.lastPolled')]}
      name={(c) => c.name}
      rowClassName={(c) => (c.active ? undefined : 'admin-inactive')}
      cells={(c) => (
        <>
          <TitleCell title={c.name} sub={`${c.username} · ${c.host}:${c.port} · ${c.mailbox}`} />
          <td>
            {c.active ? (
              <StatusText area="mailboxes.states" status={c.status} />
            ) : (
              <span className="admin-pill-off">{t('email.mailboxes.paused')}</span>
            )}
            {c.last_error && <div className="email-error admin-sub">{c.last_error}</div>}
          </td>
          <td>
            <When iso={c.last_polled_at} none={t('email.never')} />
          </td>
        </>
      )}
      actions={(c) => (
        <RowButton
          label={t('email.mailboxes.poll')}
          name={t('email.mailboxes.pollFor', { name: c.name })}
          disabled={poll.isPending || !c.active}
          onClick={() => poll.mutate(c)}
        />
      )}
      before={
        <>
          {notice && <p className="muted">{notice}</p>}
          <ProblemList problems={poll.error ? problemsOf(poll.error, []).other : []} />
        </>
      }
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(c) => api.delete(`${PATH}/${c.id}`)}
      refresh={refresh}
    />
  );
}

function MailboxEditor({ id, onDone }: { id: string | null; onDone: () => void }) {
  const connection = useRecord<ImapConnection>(PATH, 'imap_connection', id);
  return (
    <EditorGate
      title={t('email.mailboxes.title')}
      error={id !== null && connection.error}
      ready={id === null || !!connection.data}
      onDone={onDone}
    >
      {() => <MailboxForm connection={connection.data ?? null} onDone={onDone} />}
    </EditorGate>
  );
}

/** The form of a mailbox, its fields named as the API names them; a new one's defaults. */
const formOf = (connection: ImapConnection | null) => ({
  name: connection?.name ?? '',
  host: connection?.host ?? '',
  port: String(connection?.port ?? 993),
  secure: connection?.secure ?? true,
  username: connection?.username ?? '',
  password: '',
  mailbox: connection?.mailbox ?? 'INBOX',
  after_processing: connection?.after_processing ?? 'seen',
  move_to: connection?.move_to ?? '',
  active: connection?.active ?? true,
});

/**
 * The keys the API names its messages about the form's fields by: each field's own name. A message about
 * "active" is not one of them: it shows above the form.
 */
const FIELDS = Object.keys(formOf(null)).filter((f) => f !== 'active');

function MailboxForm({ connection, onDone }: { connection: ImapConnection | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(() => formOf(connection));
  const body = () => ({
    imap_connection: {
      name: form.name,
      host: form.host,
      port: Number(form.port),
      secure: form.secure,
      username: form.username,
      // The stored password is never sent back; an empty field keeps it.
      ...(form.password !== '' || !connection ? { password: form.password } : {}),
      mailbox: form.mailbox,
      after_processing: form.after_processing,
      move_to: form.after_processing === 'move' ? form.move_to : null,
      active: form.active,
    },
  });
  const save = useMutation({
    mutationFn: () => (connection ? api.put(`${PATH}/${connection.id}`, body()) : api.post(PATH, body())),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: listKey });
      queryClient.invalidateQueries({ queryKey: ['admin', 'imap_connection'] });
      onDone();
    },
  });
  const test = useMutation({
    mutationFn: () =>
      api
        .post<{ result: { ok: boolean; messages: number } }>(`${PATH}/${connection!.id}/test`)
        .then((r) => r.result),
  });
  const problems = useProblems(save.error, FIELDS);
  const set = (patch: Partial<typeof form>) => {
    problems.edited(...Object.keys(patch));
    setForm((f) => ({ ...f, ...patch }));
  };
  const field = textFields(form, setForm, problems);
  const testProblems = test.error ? problemsOf(test.error, []) : null;
  return (
    <EditorForm
      title={
        connection ? t('email.mailboxes.editTitle', { name: connection.name }) : t('email.mailboxes.addTitle')
      }
      onSubmit={() => save.mutate()}
      problems={problems.other}
      pending={save.isPending}
      submitLabel={connection ? t('shell.save') : t('email.mailboxes.create')}
      onCancel={onDone}
    >
      <TextInput label={t('email.mailboxes.name')} {...field('name')} required />
      <div className="admin-two">
        <TextInput
          label={t('email.mailboxes.host')}
          {...field('host')}
          required
          spellCheck={false}
          autoComplete="off"
        />
        <TextInput type="number" label={t('email.mailboxes.port')} min={1} max={65535} {...field('port')} />
      </div>
      <Checkbox
        label={t('email.mailboxes.secure')}
        hint={t('email.mailboxes.secureHint')}
        checked={form.secure}
        onChange={(secure) => set({ secure, port: secure ? '993' : '143' })}
      />
      <div className="admin-two">
        <TextInput
          label={t('email.mailboxes.username')}
          {...field('username')}
          required
          spellCheck={false}
          autoComplete="off"
        />
        <TextInput
          type="password"
          label={t('email.mailboxes.password')}
          hint={connection ? t('email.mailboxes.passwordKeep') : undefined}
          {...field('password')}
          autoComplete="new-password"
        />
      </div>
      <TextInput label={t('email.mailboxes.mailbox')} {...field('mailbox')} spellCheck={false} />
      <div className="admin-two">
        <Select
          label={t('email.mailboxes.afterProcessing')}
          value={form.after_processing}
          onChange={(e) => set({ after_processing: e.target.value as typeof form.after_processing })}
          options={(['seen', 'move', 'delete'] as const).map((v) => ({
            value: v,
            label: t(`email.mailboxes.after.${v}`),
          }))}
          error={problems.byField.after_processing}
        />
        {form.after_processing === 'move' && (
          <TextInput label={t('email.mailboxes.moveTo')} {...field('move_to')} spellCheck={false} />
        )}
      </div>
      <Checkbox
        label={t('email.mailboxes.active')}
        checked={form.active}
        onChange={(active) => set({ active })}
      />
      <div className="admin-test">
        <button
          type="button"
          className="button"
          disabled={!connection || test.isPending}
          onClick={() => test.mutate()}
          aria-describedby="mailbox-test-result"
        >
          {test.isPending ? t('email.mailboxes.testing') : t('email.mailboxes.test')}
        </button>
        <div role="status" id="mailbox-test-result" className="admin-test-result">
          {!connection && <p className="hint">{t('email.mailboxes.testSaveFirst')}</p>}
          {test.data && (
            <p className="admin-state-ok">{plural('email.mailboxes.testOk', test.data.messages)}</p>
          )}
        </div>
        <ProblemList
          problems={testProblems ? [...testProblems.other, ...Object.values(testProblems.byField)] : []}
        />
      </div>
    </EditorForm>
  );
}
