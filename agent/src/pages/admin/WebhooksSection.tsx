import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'wouter';
import { Dialog } from '../../components/Dialog.tsx';
import { Select, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { EditorGate, RecordList, useEditParam, useRecord } from './section.tsx';
import {
  AdminTable,
  Checkbox,
  CopyField,
  EditorForm,
  Loaded,
  labelOr,
  ProblemList,
  problemsOf,
  SectionHeader,
  TitleCell,
  useProblems,
} from './ui.tsx';

type AuthType = 'basic_auth' | 'bearer_token' | 'api_key';

interface Webhook {
  id: string;
  name: string;
  description: string | null;
  status: 'active' | 'inactive';
  endpoint: string;
  http_method: string;
  request_format: string;
  subscriptions: string[];
  authentication?: { type: AuthType; add_position?: string; data?: Record<string, string> } | null;
  created_at: string;
  updated_at: string;
  /** Why Haven made the webhook inactive (repeated failed deliveries), in whichever name the API uses. */
  status_reason?: string | null;
  inactive_reason?: string | null;
  deactivation_reason?: string | null;
  deactivated_reason?: string | null;
}

interface Invocation {
  id: string;
  status: string;
  created_at: string;
  latest_completed_at?: string | null;
  completed_at?: string | null;
  attempts?: number;
  attempts_count?: number;
  status_code?: number | null;
  latest_status_code?: number | null;
  source?: Record<string, any> | null;
}

interface Attempt {
  id: string | number;
  status: string;
  status_code?: number | null;
  duration?: number | null;
  duration_ms?: number | null;
  completed_at?: string | null;
  at?: string | null;
  error?: string | null;
  response?: { status?: number | null; body?: string | null } | null;
}

const METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'];

const reasonOf = (w: Webhook) =>
  w.status_reason ?? w.inactive_reason ?? w.deactivation_reason ?? w.deactivated_reason ?? null;

/** The workspace's words for a value, or the value itself. */
const label = (key: string) => labelOr(key, key.split('.').pop()!);

/** Webhooks: where triggers and automations send JSON, signed; with each webhook's delivery log. */
export default function WebhooksSection() {
  const { edit, params, open, go, close } = useEditParam('webhooks');
  const logId = params.get('log');
  if (logId) return <DeliveryLog key={logId} id={logId} onDone={close} />;
  if (edit) return <WebhookEditor key={edit} id={edit === 'new' ? null : edit} onDone={close} />;
  return <WebhookList onEdit={open} onLog={(id) => go('log', id)} />;
}

function useWebhooks() {
  return useQuery({
    queryKey: ['admin', 'webhooks'],
    queryFn: () =>
      api
        .get<{ webhooks: Webhook[] }>('webhooks', { 'page[size]': 100 })
        .then((r) => [...r.webhooks].sort((a, b) => a.name.localeCompare(b.name))),
  });
}

function WebhookList({ onEdit, onLog }: { onEdit: (id: string) => void; onLog: (id: string) => void }) {
  const queryClient = useQueryClient();
  const webhooks = useWebhooks();
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'webhooks'] });
  const reactivate = useMutation({
    // PUT with the stored fields: the authentication is left out, so the stored one is kept.
    mutationFn: (w: Webhook) =>
      api.put(`webhooks/${w.id}`, {
        webhook: {
          name: w.name,
          description: w.description,
          endpoint: w.endpoint,
          http_method: w.http_method,
          request_format: w.request_format,
          subscriptions: w.subscriptions,
          status: 'active',
        },
      }),
    onSuccess: (_, w) => {
      setNotice(t('admin.webhooks.reactivated', { name: w.name }));
      refresh();
    },
  });
  return (
    <RecordList<Webhook>
      area="webhooks"
      records={webhooks.data}
      error={webhooks.error}
      columns={[t('admin.webhooks.name'), t('admin.webhooks.endpoint'), t('admin.webhooks.status')]}
      name={(w) => w.name}
      rowClassName={(w) => (w.status === 'active' ? undefined : 'admin-inactive')}
      cells={(w) => (
        <>
          <TitleCell title={w.name} sub={w.description} />
          <td className="admin-endpoint">
            <code>
              {w.http_method} {w.endpoint}
            </code>
          </td>
          <td>
            {w.status === 'active' ? (
              <span className="admin-state-ok">{t('admin.active')}</span>
            ) : (
              <>
                <span className="admin-pill-off">{t('admin.inactive')}</span>
                {reasonOf(w) && <div className="muted admin-sub">{reasonOf(w)}</div>}
                <button
                  type="button"
                  className="button admin-reactivate"
                  disabled={reactivate.isPending}
                  onClick={() => reactivate.mutate(w)}
                  aria-label={t('admin.webhooks.reactivateFor', { name: w.name })}
                >
                  {t('admin.webhooks.reactivate')}
                </button>
              </>
            )}
          </td>
        </>
      )}
      actions={(w) => (
        <button
          type="button"
          className="button"
          onClick={() => onLog(w.id)}
          aria-label={t('admin.webhooks.logFor', { name: w.name })}
        >
          {t('admin.webhooks.log')}
        </button>
      )}
      before={<ProblemList problems={reactivate.error ? problemsOf(reactivate.error, []).other : []} />}
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(w) => api.delete(`webhooks/${w.id}`)}
      refresh={refresh}
    />
  );
}

function WebhookEditor({ id, onDone }: { id: string | null; onDone: () => void }) {
  const webhook = useRecord<Webhook>('webhooks', 'webhook', id);
  return (
    <EditorGate
      title={t('admin.webhooks.title')}
      error={id !== null && webhook.error}
      ready={id === null || !!webhook.data}
      onDone={onDone}
    >
      {() => <WebhookForm webhook={webhook.data ?? null} onDone={onDone} />}
    </EditorGate>
  );
}

interface WebhookFormState {
  name: string;
  description: string;
  endpoint: string;
  http_method: string;
  request_format: string;
  active: boolean;
  authType: '' | AuthType;
  /** Secrets are never sent back by the API: empty means "keep what is stored". */
  username: string;
  password: string;
  token: string;
  keyName: string;
  keyValue: string;
}

function formOf(w: Webhook | null): WebhookFormState {
  return {
    name: w?.name ?? '',
    description: w?.description ?? '',
    endpoint: w?.endpoint ?? 'https://',
    http_method: w?.http_method ?? 'POST',
    request_format: w?.request_format ?? 'json',
    active: (w?.status ?? 'active') === 'active',
    authType: w?.authentication?.type ?? '',
    username: w?.authentication?.data?.username ?? '',
    password: '',
    token: '',
    keyName: w?.authentication?.data?.name ?? '',
    keyValue: '',
  };
}

/** The authentication to send: undefined keeps the stored one (nothing about it was touched). */
function authenticationOf(form: WebhookFormState, w: Webhook | null) {
  const before = w?.authentication?.type ?? '';
  if (!form.authType) return before ? null : undefined;
  const typed =
    form.authType === 'basic_auth'
      ? form.password !== '' || form.username !== (w?.authentication?.data?.username ?? '')
      : form.authType === 'bearer_token'
        ? form.token !== ''
        : form.keyValue !== '' || form.keyName !== (w?.authentication?.data?.name ?? '');
  if (w && form.authType === before && !typed) return undefined;
  // A secret left empty is left out: the API keeps the stored one when the type stays the same.
  const secret = (key: string, value: string) => (value === '' ? {} : { [key]: value });
  const data =
    form.authType === 'basic_auth'
      ? { username: form.username, ...secret('password', form.password) }
      : form.authType === 'bearer_token'
        ? secret('token', form.token)
        : { name: form.keyName, ...secret('value', form.keyValue) };
  return { type: form.authType, data, add_position: 'header' };
}

function WebhookForm({ webhook, onDone }: { webhook: Webhook | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<WebhookFormState>(() => formOf(webhook));
  const [created, setCreated] = useState<Webhook | null>(null);
  const [secretOpen, setSecretOpen] = useState(false);
  const body = () => {
    const authentication = authenticationOf(form, webhook);
    return {
      webhook: {
        name: form.name,
        description: form.description || null,
        endpoint: form.endpoint,
        http_method: form.http_method,
        request_format: form.request_format,
        status: form.active ? 'active' : 'inactive',
        subscriptions: webhook?.subscriptions ?? ['conditional_ticket_events'],
        ...(authentication === undefined ? {} : { authentication }),
      },
    };
  };
  const save = useMutation({
    mutationFn: () =>
      webhook
        ? api.put<{ webhook: Webhook }>(`webhooks/${webhook.id}`, body())
        : api.post<{ webhook: Webhook }>('webhooks', body()),
    onSuccess: (r) => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'webhooks'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'webhook'] });
      // A new webhook shows its signing secret once, so the receiving end can verify requests.
      if (webhook) onDone();
      else setCreated(r.webhook);
    },
  });
  const test = useMutation({
    mutationFn: () => {
      const { webhook: w } = body();
      return api.post<{ response: TestResponse }>(
        'webhooks/test',
        {
          request: {
            endpoint: w.endpoint,
            http_method: w.http_method,
            request_format: w.request_format,
            ...('authentication' in w ? { authentication: w.authentication } : {}),
            payload: JSON.stringify({ message: 'Test request from Haven' }),
          },
        },
        webhook ? { webhook_id: webhook.id } : undefined,
      );
    },
  });
  const problems = useProblems(save.error, [
    'name',
    'description',
    'endpoint',
    'http_method',
    'request_format',
    'authentication',
    'authentication.data.username',
    'authentication.data.password',
    'authentication.data.token',
    'authentication.data.name',
    'authentication.data.value',
  ]);
  const set = (patch: Partial<WebhookFormState>) => {
    const auth: Record<string, string> = {
      authType: 'authentication',
      username: 'authentication.data.username',
      password: 'authentication.data.password',
      token: 'authentication.data.token',
      keyName: 'authentication.data.name',
      keyValue: 'authentication.data.value',
    };
    problems.edited(...Object.keys(patch).map((k) => auth[k] ?? k));
    setForm((f) => ({ ...f, ...patch }));
  };
  const keep = webhook?.authentication?.type === form.authType ? t('admin.webhooks.keepSecret') : undefined;
  const testResult = test.data?.response;

  return (
    <>
      <EditorForm
        title={webhook ? t('admin.webhooks.editTitle', { name: webhook.name }) : t('admin.webhooks.addTitle')}
        actions={
          webhook && (
            <button type="button" className="button" onClick={() => setSecretOpen(true)}>
              {t('admin.webhooks.signingSecret')}
            </button>
          )
        }
        before={
          webhook?.status === 'inactive' &&
          reasonOf(webhook) && (
            <p className="admin-warning">
              {t('admin.webhooks.inactiveBecause', { reason: reasonOf(webhook)! })}
            </p>
          )
        }
        onSubmit={() => save.mutate()}
        problems={problems.other}
        pending={save.isPending}
        submitLabel={webhook ? t('shell.save') : t('admin.webhooks.create')}
        onCancel={onDone}
      >
        <TextInput
          label={t('admin.webhooks.name')}
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
          error={problems.byField.name}
          required
        />
        <TextInput
          label={t('admin.ruleEditor.description')}
          value={form.description}
          onChange={(e) => set({ description: e.target.value })}
          error={problems.byField.description}
        />
        <TextInput
          type="url"
          label={t('admin.webhooks.endpoint')}
          hint={t('admin.webhooks.endpointHint')}
          value={form.endpoint}
          onChange={(e) => set({ endpoint: e.target.value })}
          error={problems.byField.endpoint}
          required
          spellCheck={false}
          autoComplete="off"
        />
        <div className="admin-two">
          <Select
            label={t('admin.webhooks.method')}
            value={form.http_method}
            onChange={(e) => set({ http_method: e.target.value })}
            options={METHODS.map((m) => ({ value: m, label: m }))}
            error={problems.byField.http_method}
          />
          <div className="field">
            <span className="admin-field-label">{t('admin.webhooks.format')}</span>
            <p className="admin-format">{label(`admin.webhooks.formats.${form.request_format}`)}</p>
            {problems.byField.request_format && (
              <p className="field-error">{problems.byField.request_format}</p>
            )}
          </div>
        </div>
        <fieldset className="admin-fieldset">
          <legend>{t('admin.webhooks.authentication')}</legend>
          <Select
            label={t('admin.webhooks.authType')}
            value={form.authType}
            onChange={(e) => set({ authType: e.target.value as WebhookFormState['authType'] })}
            options={[
              { value: '', label: t('admin.webhooks.auth.none') },
              { value: 'basic_auth', label: t('admin.webhooks.auth.basic_auth') },
              { value: 'bearer_token', label: t('admin.webhooks.auth.bearer_token') },
              { value: 'api_key', label: t('admin.webhooks.auth.api_key') },
            ]}
            error={problems.byField.authentication}
          />
          {form.authType === 'basic_auth' && (
            <div className="admin-two">
              <TextInput
                label={t('admin.webhooks.username')}
                value={form.username}
                onChange={(e) => set({ username: e.target.value })}
                error={problems.byField['authentication.data.username']}
                autoComplete="off"
              />
              <TextInput
                type="password"
                label={t('admin.webhooks.password')}
                hint={keep}
                value={form.password}
                onChange={(e) => set({ password: e.target.value })}
                error={problems.byField['authentication.data.password']}
                autoComplete="new-password"
              />
            </div>
          )}
          {form.authType === 'bearer_token' && (
            <TextInput
              type="password"
              label={t('admin.webhooks.token')}
              hint={keep}
              value={form.token}
              onChange={(e) => set({ token: e.target.value })}
              error={problems.byField['authentication.data.token']}
              autoComplete="new-password"
            />
          )}
          {form.authType === 'api_key' && (
            <div className="admin-two">
              <TextInput
                label={t('admin.webhooks.headerName')}
                value={form.keyName}
                onChange={(e) => set({ keyName: e.target.value })}
                error={problems.byField['authentication.data.name']}
                autoComplete="off"
                spellCheck={false}
              />
              <TextInput
                type="password"
                label={t('admin.webhooks.headerValue')}
                hint={keep}
                value={form.keyValue}
                onChange={(e) => set({ keyValue: e.target.value })}
                error={problems.byField['authentication.data.value']}
                autoComplete="new-password"
              />
            </div>
          )}
        </fieldset>
        <Checkbox
          label={t('admin.webhooks.activeLabel')}
          hint={t('admin.webhooks.activeHint')}
          checked={form.active}
          onChange={(active) => set({ active })}
        />
        <div className="admin-test">
          <button type="button" className="button" disabled={test.isPending} onClick={() => test.mutate()}>
            {test.isPending ? t('admin.webhooks.testing') : t('admin.webhooks.test')}
          </button>
          <div role="status" className="admin-test-result">
            {testResult && (
              <>
                <p>
                  <strong
                    className={
                      testResult.status && testResult.status >= 200 && testResult.status < 300
                        ? 'admin-state-ok'
                        : 'admin-pill-off'
                    }
                  >
                    {testResult.status === null
                      ? t('admin.webhooks.testFailed', { error: testResult.error ?? '' })
                      : t('admin.webhooks.testStatus', { status: testResult.status })}
                  </strong>
                </p>
                {testResult.body && <pre className="admin-excerpt">{testResult.body.slice(0, 2000)}</pre>}
              </>
            )}
          </div>
          <ProblemList
            problems={
              test.error
                ? problemsOf(test.error, []).other.concat(Object.values(problemsOf(test.error, []).byField))
                : []
            }
          />
        </div>
      </EditorForm>
      <Dialog title={t('admin.webhooks.createdTitle')} open={created !== null} onClose={onDone}>
        {created && <SigningSecret webhook={created} once />}
        <div className="admin-form-actions">
          <button type="button" className="button primary" onClick={onDone}>
            {t('admin.webhooks.secretDone')}
          </button>
        </div>
      </Dialog>
      {webhook && (
        <Dialog
          title={t('admin.webhooks.signingSecret')}
          open={secretOpen}
          onClose={() => setSecretOpen(false)}
        >
          {secretOpen && <SigningSecret webhook={webhook} />}
          <div className="admin-form-actions">
            <button type="button" className="button primary" onClick={() => setSecretOpen(false)}>
              {t('admin.done')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

interface TestResponse {
  status: number | null;
  body?: string | null;
  error?: string;
}

interface SigningSecretBody {
  signing_secret: { algorithm: string; secret: string };
}

/** The webhook's signing secret with a copy button, and a way to replace it (the old one stops at once). */
function SigningSecret({ webhook, once }: { webhook: Webhook; once?: boolean }) {
  const queryClient = useQueryClient();
  const queryKey = ['admin', 'webhook-secret', webhook.id];
  const secret = useQuery({
    queryKey,
    queryFn: () =>
      api.get<SigningSecretBody>(`webhooks/${webhook.id}/signing_secret`).then((r) => r.signing_secret),
    staleTime: 0,
    gcTime: 0,
  });
  const [confirming, setConfirming] = useState(false);
  const rotate = useMutation({
    mutationFn: () =>
      api.post<SigningSecretBody>(`webhooks/${webhook.id}/signing_secret`).then((r) => r.signing_secret),
    onSuccess: (s) => {
      queryClient.setQueryData(queryKey, s);
      setConfirming(false);
    },
  });
  return (
    <div className="admin-once">
      {once && <p>{t('admin.webhooks.createdIntro', { name: webhook.name })}</p>}
      <p className="admin-warning">{t('admin.webhooks.secretWarning')}</p>
      <Loaded error={secret.error} loading={!secret.data}>
        {secret.data && (
          <CopyField
            label={t('admin.webhooks.secretLabel', { algorithm: secret.data.algorithm })}
            value={secret.data.secret}
            hint={t('admin.webhooks.secretHint')}
          />
        )}
      </Loaded>
      {rotate.isSuccess && <p role="status">{t('admin.webhooks.rotated')}</p>}
      <ProblemList problems={rotate.error ? problemsOf(rotate.error, []).other : []} />
      {!once &&
        (confirming ? (
          <div className="admin-confirm-inline">
            <p>{t('admin.webhooks.rotateMessage')}</p>
            <button
              type="button"
              className="button danger"
              disabled={rotate.isPending}
              onClick={() => rotate.mutate()}
            >
              {rotate.isPending ? t('shell.saving') : t('admin.webhooks.rotateConfirm')}
            </button>{' '}
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              {t('shell.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" className="button" onClick={() => setConfirming(true)}>
            {t('admin.webhooks.rotate')}
          </button>
        ))}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Delivery log

const statusLabel = (status: string) => label(`admin.webhooks.invocationStatus.${status}`);

/** What asked for a request: the rule, and the ticket it acted on (a link). */
function Source({ source }: { source: Record<string, any> | null | undefined }) {
  if (!source) return null;
  const rule = source.from ?? source.rule ?? source;
  const kind = source.rel ?? source.type ?? rule?.type;
  const title = rule?.title ?? rule?.name;
  const ticketId = source.ticket_id ?? source.ticket?.id;
  const by = title
    ? t(
        kind === 'automation'
          ? 'admin.webhooks.byAutomation'
          : kind === 'test'
            ? 'admin.webhooks.byTest'
            : 'admin.webhooks.byTrigger',
        { title },
      )
    : '';
  return (
    <>
      {by}
      {by && ticketId ? ' · ' : ''}
      {ticketId ? (
        <Link href={`/tickets/${ticketId}`}>{t('admin.webhooks.onTicket', { id: ticketId })}</Link>
      ) : null}
    </>
  );
}

function DeliveryLog({ id, onDone }: { id: string; onDone: () => void }) {
  const webhook = useRecord<Webhook>('webhooks', 'webhook', id);
  const invocations = useQuery({
    queryKey: ['admin', 'webhook-invocations', id],
    queryFn: () =>
      api
        .get<{ invocations: Invocation[] }>(`webhooks/${id}/invocations`, { 'page[size]': 100 })
        .then((r) => r.invocations),
    refetchInterval: 5000,
  });
  const [open, setOpen] = useState<string | null>(null);
  const name = webhook.data?.name ?? id;
  const list = invocations.data ?? [];
  return (
    <>
      <SectionHeader
        title={t('admin.webhooks.logTitle', { name })}
        intro={t('admin.webhooks.logIntro')}
        actions={
          <>
            <button type="button" className="button" onClick={() => invocations.refetch()}>
              {t('admin.webhooks.refresh')}
            </button>
            <button type="button" className="button" onClick={onDone}>
              {t('admin.backToList')}
            </button>
          </>
        }
      />
      {webhook.data?.status === 'inactive' && (
        <p className="admin-warning">
          {reasonOf(webhook.data)
            ? t('admin.webhooks.inactiveBecause', { reason: reasonOf(webhook.data)! })
            : t('admin.webhooks.inactive')}
        </p>
      )}
      <Loaded
        error={invocations.error}
        loading={!invocations.data}
        empty={!list.length && t('admin.webhooks.noInvocations')}
      >
        <AdminTable
          caption={t('admin.webhooks.logTitle', { name })}
          columns={[
            t('admin.webhooks.when'),
            t('admin.webhooks.status'),
            t('admin.webhooks.response'),
            t('admin.webhooks.attemptsHeading'),
            t('admin.webhooks.source'),
          ]}
        >
          {list.map((inv) => {
            const code = inv.latest_status_code ?? inv.status_code;
            const attempts = inv.attempts_count ?? inv.attempts;
            return (
              <Fragment key={inv.id}>
                <tr>
                  <td title={formatDate(inv.created_at)}>{timeAgo(inv.created_at)}</td>
                  <td>
                    <span className={`admin-delivery admin-delivery-${inv.status}`}>
                      {statusLabel(inv.status)}
                    </span>
                  </td>
                  <td>{code ? <code>{code}</code> : '—'}</td>
                  <td>{attempts ?? '—'}</td>
                  <td>
                    <Source source={inv.source} />
                  </td>
                  <td className="admin-row-actions">
                    <button
                      type="button"
                      className="button"
                      aria-expanded={open === inv.id}
                      aria-controls={`attempts-${inv.id}`}
                      onClick={() => setOpen(open === inv.id ? null : inv.id)}
                      aria-label={t('admin.webhooks.attemptsFor', { when: formatDate(inv.created_at) })}
                    >
                      {t('admin.webhooks.attempts')}
                    </button>
                  </td>
                </tr>
                {open === inv.id && (
                  <tr id={`attempts-${inv.id}`} className="admin-attempts-row">
                    <td colSpan={6}>
                      <Attempts webhookId={id} invocationId={inv.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </AdminTable>
      </Loaded>
    </>
  );
}

function Attempts({ webhookId, invocationId }: { webhookId: string; invocationId: string }) {
  const attempts = useQuery({
    queryKey: ['admin', 'webhook-attempts', webhookId, invocationId],
    queryFn: () =>
      api
        .get<{ attempts: Attempt[] }>(`webhooks/${webhookId}/invocations/${invocationId}/attempts`)
        .then((r) => r.attempts),
  });
  const list = attempts.data ?? [];
  return (
    <Loaded
      error={attempts.error}
      loading={!attempts.data}
      empty={!list.length && t('admin.webhooks.noAttempts')}
    >
      <ol className="admin-attempts">
        {list.map((a, i) => {
          const when = a.completed_at ?? a.at;
          const duration = a.duration ?? a.duration_ms;
          return (
            <li key={a.id}>
              <strong>{t('admin.webhooks.attemptN', { n: i + 1 })}</strong>{' '}
              <span className={`admin-delivery admin-delivery-${a.status}`}>{statusLabel(a.status)}</span>
              {a.status_code ? (
                <>
                  {' '}
                  <code>{a.status_code}</code>
                </>
              ) : null}
              {duration !== null && duration !== undefined && (
                <span className="muted"> · {t('admin.webhooks.duration', { ms: duration })}</span>
              )}
              {when && (
                <span className="muted" title={formatDate(when)}>
                  {' '}
                  · {timeAgo(when)}
                </span>
              )}
              {a.error && <div className="admin-attempt-error">{a.error}</div>}
              {a.response?.body && <pre className="admin-excerpt">{a.response.body.slice(0, 2000)}</pre>}
            </li>
          );
        })}
      </ol>
    </Loaded>
  );
}
