import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { TextArea } from '../../../components/forms.tsx';
import { t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import {
  AdminForm,
  ConfirmDialog,
  Loaded,
  ProblemList,
  problemsOf,
  SectionHeader,
  useProblems,
  useSavedNotice,
} from '../ui.tsx';
import { type EmailSettings, settingsKey } from './shared.tsx';

interface Preview {
  subject: string;
  text: string;
  html: string;
}

const PLACEHOLDERS = [
  ['{{content}}', 'email.templates.placeholder.content'],
  ['{{footer}}', 'email.templates.placeholder.footer'],
  ['{{delimiter}}', 'email.templates.placeholder.delimiter'],
  ['{{account.name}}', 'email.templates.placeholder.accountName'],
  ['{{brand_color}}', 'email.templates.placeholder.brandColor'],
] as const;

/** The plain-text and HTML frames of every mail Haven sends, with a live preview. */
export default function TemplatesSection() {
  const settings = useQuery({
    queryKey: settingsKey,
    queryFn: () => api.get<{ email_settings: EmailSettings }>('email/settings').then((r) => r.email_settings),
  });
  return (
    <>
      <SectionHeader title={t('email.templates.title')} intro={t('email.templates.intro')} />
      <Loaded error={settings.error} loading={!settings.data}>
        {settings.data && <TemplatesForm settings={settings.data} />}
      </Loaded>
    </>
  );
}

/** `value` once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function TemplatesForm({ settings }: { settings: EmailSettings }) {
  const queryClient = useQueryClient();
  const [saved, showSaved] = useSavedNotice();
  const [text, setText] = useState(settings.text_template ?? '');
  const [html, setHtml] = useState(settings.html_template ?? '');
  const [resetting, setResetting] = useState(false);
  const settled = useSettled({ text, html }, 400);
  const preview = useQuery({
    queryKey: ['admin', 'email-template-preview', settled],
    queryFn: () =>
      api
        .post<{ preview: Preview }>('email/templates/preview', {
          text_template: settled.text || null,
          html_template: settled.html || null,
        })
        .then((r) => r.preview),
    placeholderData: (previous) => previous,
  });
  const save = useMutation({
    mutationFn: () =>
      api.put('email/settings', {
        email_settings: { text_template: text || null, html_template: html || null },
      }),
    onSuccess: () => {
      showSaved();
      queryClient.invalidateQueries({ queryKey: settingsKey });
    },
  });
  const problems = useProblems(save.error, ['text_template', 'html_template']);
  return (
    <>
      <AdminForm
        className="card admin-form email-template"
        onSubmit={() => save.mutate()}
        problems={problems.other}
      >
        <h2>{t('email.templates.placeholders')}</h2>
        <ul className="email-placeholders">
          {PLACEHOLDERS.map(([code, key]) => (
            <li key={code}>
              <code>{code}</code> — {t(key)}
            </li>
          ))}
        </ul>
        <TextArea
          label={t('email.templates.text')}
          value={text}
          onChange={(e) => {
            problems.edited('text_template');
            setText(e.target.value);
          }}
          error={problems.byField.text_template}
          spellCheck={false}
        />
        <TextArea
          label={t('email.templates.html')}
          value={html}
          onChange={(e) => {
            problems.edited('html_template');
            setHtml(e.target.value);
          }}
          error={problems.byField.html_template}
          spellCheck={false}
        />
        <div className="admin-form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? t('shell.saving') : t('shell.save')}
          </button>
          <button type="button" className="button" onClick={() => setResetting(true)}>
            {t('email.templates.reset')}
          </button>
          {saved}
        </div>
      </AdminForm>
      <section className="card email-card" aria-labelledby="email-preview">
        <h2 id="email-preview">{t('email.templates.preview')}</h2>
        <p className="visually-hidden" role="status">
          {preview.isFetching ? t('email.templates.previewing') : ''}
        </p>
        <ProblemList
          problems={
            preview.error
              ? [
                  ...problemsOf(preview.error, []).other,
                  ...Object.values(problemsOf(preview.error, []).byField),
                ]
              : []
          }
        />
        {preview.data && (
          <>
            <p>
              <strong>{t('email.templates.previewSubject', { subject: preview.data.subject })}</strong>
            </p>
            <h3>{t('email.templates.previewHtml')}</h3>
            <iframe
              className="email-preview-frame"
              title={t('email.templates.previewHtml')}
              sandbox=""
              srcDoc={preview.data.html}
            />
            <h3>{t('email.templates.previewText')}</h3>
            <pre className="email-preview-text">{preview.data.text}</pre>
          </>
        )}
      </section>
      <ConfirmDialog
        open={resetting}
        title={t('email.templates.resetTitle')}
        message={<p>{t('email.templates.resetMessage')}</p>}
        confirmLabel={t('email.templates.reset')}
        onConfirm={async () => {
          await api.put('email/settings', { email_settings: { text_template: null, html_template: null } });
          setText('');
          setHtml('');
          await queryClient.invalidateQueries({ queryKey: settingsKey });
        }}
        onClose={() => setResetting(false)}
      />
    </>
  );
}
