import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { TextArea, TextInput } from '../../../components/forms.tsx';
import { plural, t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import {
  AdminForm,
  ConfirmDialog,
  CopyField,
  FormActions,
  Loaded,
  ProblemList,
  problemsOf,
  useProblems,
  useSavedNotice,
} from '../ui.tsx';
import { type EmailSettings, linesOf, SettingsScreen, settingsKey, textFields } from './shared.tsx';

/** The answer of `GET/POST /api/v2/email/inbound_secret`, in whichever of its shapes the API gives. */
interface InboundSecretBody {
  inbound_secret?: { secret?: string | null; exists?: boolean; configured?: boolean } | null;
  secret?: string;
  exists?: boolean;
  configured?: boolean;
}

const secretKey = ['admin', 'email-inbound-secret'] as const;

/**
 * Outgoing mail: whether a relay is configured (and what waits in the outbox when not), the DKIM key and
 * its DNS record, the secret of the raw-MIME endpoint, and the spam and sender rules.
 */
export default function OutgoingSection() {
  return (
    <SettingsScreen title={t('email.outgoing.title')} intro={t('email.outgoing.intro')}>
      {(settings) => (
        <>
          <Relay settings={settings} />
          <Dkim settings={settings} />
          <InboundEndpoint />
          <Filters settings={settings} />
        </>
      )}
    </SettingsScreen>
  );
}

function Relay({ settings }: { settings: EmailSettings }) {
  const { outbound, inbound } = settings;
  return (
    <section className="card email-card" aria-labelledby="email-relay">
      <h2 id="email-relay">{t('email.outgoing.relay')}</h2>
      {outbound.smtp_configured ? (
        <p className="admin-state-ok">{t('email.outgoing.relayConfigured')}</p>
      ) : (
        <p className="admin-warning">{t('email.outgoing.relayMissing')}</p>
      )}
      {outbound.waiting > 0 && <p>{plural('email.outgoing.waiting', outbound.waiting)}</p>}
      {outbound.failed > 0 && (
        <p>
          <Link href="/admin/email-log">{plural('email.outgoing.failed', outbound.failed)}</Link>
        </p>
      )}
      {outbound.mail_from && (
        <p>
          {t('email.outgoing.mailFrom')}: <code>{outbound.mail_from}</code>
        </p>
      )}
      <h3>{t('email.outgoing.inbound')}</h3>
      <p>
        {inbound.smtp_port
          ? t('email.outgoing.smtpPort', { port: inbound.smtp_port })
          : t('email.outgoing.smtpOff')}
      </p>
      <p>
        {t('email.outgoing.systemAddress')}: <code>{inbound.system_address}</code>
      </p>
    </section>
  );
}

function Dkim({ settings }: { settings: EmailSettings }) {
  const queryClient = useQueryClient();
  const { dkim } = settings;
  const [form, setForm] = useState({
    domain: dkim.domain ?? /@([^>\s]+)/.exec(settings.outbound.mail_from ?? '')?.[1] ?? '',
    selector: dkim.selector ?? 'haven',
  });
  const [removing, setRemoving] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: settingsKey });
  const generate = useMutation({
    mutationFn: () => api.post('email/settings/dkim', form),
    onSuccess: refresh,
  });
  const problems = useProblems(generate.error, ['domain', 'selector']);
  const field = textFields(form, setForm, problems);
  return (
    <section className="card email-card" aria-labelledby="email-dkim">
      <h2 id="email-dkim">{t('email.outgoing.dkim')}</h2>
      <p className="muted">{t('email.outgoing.dkimIntro')}</p>
      {dkim.configured && dkim.domain ? (
        <>
          <p className="admin-state-ok">
            {t('email.outgoing.dkimConfigured', { domain: dkim.domain, selector: dkim.selector ?? '' })}
          </p>
          <p>{t('email.outgoing.dkimPublish', { domain: dkim.domain })}</p>
          {dkim.dns_name && <CopyField label={t('email.outgoing.dkimName')} value={dkim.dns_name} />}
          {dkim.dns_value && <CopyField label={t('email.outgoing.dkimValue')} value={dkim.dns_value} />}
          <button type="button" className="button danger" onClick={() => setRemoving(true)}>
            {t('email.outgoing.dkimRemove')}
          </button>
        </>
      ) : (
        <AdminForm className="admin-form" onSubmit={() => generate.mutate()} problems={problems.other}>
          <div className="admin-two">
            <TextInput label={t('email.outgoing.dkimDomain')} spellCheck={false} {...field('domain')} />
            <TextInput label={t('email.outgoing.dkimSelector')} spellCheck={false} {...field('selector')} />
          </div>
          <FormActions
            pending={generate.isPending}
            pendingLabel={t('email.outgoing.dkimGenerating')}
            submitLabel={t('email.outgoing.dkimGenerate')}
          />
        </AdminForm>
      )}
      <ConfirmDialog
        open={removing}
        title={t('email.outgoing.dkimRemoveTitle')}
        message={<p>{t('email.outgoing.dkimRemoveMessage')}</p>}
        confirmLabel={t('email.outgoing.dkimRemove')}
        onConfirm={async () => {
          await api.delete('email/settings/dkim');
          await refresh();
        }}
        onClose={() => setRemoving(false)}
      />
    </section>
  );
}

function InboundEndpoint() {
  const queryClient = useQueryClient();
  const state = useQuery({
    queryKey: secretKey,
    queryFn: () => api.get<InboundSecretBody>('email/inbound_secret'),
  });
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.post<InboundSecretBody>('email/inbound_secret'),
    onSuccess: (r) => {
      setShown(r.inbound_secret?.secret ?? r.secret ?? null);
      queryClient.invalidateQueries({ queryKey: secretKey });
    },
  });
  const body = state.data;
  const exists = !!(
    body?.inbound_secret?.exists ??
    body?.inbound_secret?.configured ??
    body?.exists ??
    body?.configured ??
    (body?.inbound_secret && body.inbound_secret !== null)
  );
  return (
    <section className="card email-card" aria-labelledby="email-endpoint">
      <h2 id="email-endpoint">{t('email.outgoing.endpoint')}</h2>
      <p className="muted">{t('email.outgoing.endpointIntro')}</p>
      <CopyField label={t('email.outgoing.endpointUrl')} value={`${location.origin}/email/inbound`} />
      <Loaded error={state.error} loading={!state.data}>
        <p>{exists ? t('email.outgoing.secretExists') : t('email.outgoing.secretMissing')}</p>
      </Loaded>
      {shown && (
        <div className="admin-once">
          <p className="admin-warning">{t('email.outgoing.secretOnce')}</p>
          <CopyField label={t('email.outgoing.secretLabel')} value={shown} />
        </div>
      )}
      <ProblemList problems={create.error ? problemsOf(create.error, []).other : []} />
      <button type="button" className="button" disabled={create.isPending} onClick={() => create.mutate()}>
        {exists ? t('email.outgoing.secretReplace') : t('email.outgoing.secretCreate')}
      </button>
    </section>
  );
}

function Filters({ settings }: { settings: EmailSettings }) {
  const queryClient = useQueryClient();
  const [saved, showSaved] = useSavedNotice();
  const [form, setForm] = useState({
    spam_threshold: String(settings.spam_threshold ?? ''),
    blocked_senders: (settings.blocked_senders ?? []).join('\n'),
    rejected_senders: (settings.rejected_senders ?? []).join('\n'),
    sender_rate_limit: String(settings.sender_rate_limit ?? ''),
  });
  const save = useMutation({
    mutationFn: () =>
      api.put('email/settings', {
        email_settings: {
          spam_threshold: form.spam_threshold === '' ? undefined : Number(form.spam_threshold),
          blocked_senders: linesOf(form.blocked_senders),
          rejected_senders: linesOf(form.rejected_senders),
          sender_rate_limit: form.sender_rate_limit === '' ? undefined : Number(form.sender_rate_limit),
        },
      }),
    onSuccess: () => {
      showSaved();
      queryClient.invalidateQueries({ queryKey: settingsKey });
    },
  });
  const problems = useProblems(save.error, [
    'spam_threshold',
    'blocked_senders',
    'rejected_senders',
    'sender_rate_limit',
  ]);
  const field = textFields(form, setForm, problems);
  return (
    <section className="card email-card" aria-labelledby="email-filters">
      <h2 id="email-filters">{t('email.outgoing.filters')}</h2>
      <AdminForm onSubmit={() => save.mutate()} problems={problems.other}>
        <div className="admin-two">
          <TextInput
            type="number"
            step="any"
            label={t('email.outgoing.spamThreshold')}
            hint={t('email.outgoing.spamThresholdHint')}
            {...field('spam_threshold')}
          />
          <TextInput
            type="number"
            min={0}
            label={t('email.outgoing.rateLimit')}
            hint={t('email.outgoing.rateLimitHint')}
            {...field('sender_rate_limit')}
          />
        </div>
        <div className="admin-two">
          <TextArea
            label={t('email.outgoing.blocked')}
            hint={t('email.outgoing.blockedHint')}
            rows={4}
            spellCheck={false}
            {...field('blocked_senders')}
          />
          <TextArea
            label={t('email.outgoing.rejected')}
            hint={t('email.outgoing.rejectedHint')}
            rows={4}
            spellCheck={false}
            {...field('rejected_senders')}
          />
        </div>
        <FormActions pending={save.isPending} submitLabel={t('email.outgoing.saveFilters')}>
          {saved}
        </FormActions>
      </AdminForm>
    </section>
  );
}
