import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { TextArea } from '../../../components/forms.tsx';
import { t } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { useDebounced } from '../../../lib/debounce.ts';
import {
  AdminForm,
  ConfirmDialog,
  FormActions,
  ProblemList,
  problemsOf,
  useProblems,
  useSavedNotice,
} from '../ui.tsx';
import { type EmailSettings, SettingsScreen, settingsKey, textFields } from './shared.tsx';

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
  return (
    <SettingsScreen title={t('email.templates.title')} intro={t('email.templates.intro')}>
      {(settings) => <TemplatesForm settings={settings} />}
    </SettingsScreen>
  );
}

function TemplatesForm({ settings }: { settings: EmailSettings }) {
  const queryClient = useQueryClient();
  const [saved, showSaved] = useSavedNotice();
  const [form, setForm] = useState({
    text_template: settings.text_template ?? '',
    html_template: settings.html_template ?? '',
  });
  const [resetting, setResetting] = useState(false);
  const settled = useDebounced(form, 400);
  const preview = useQuery({
    queryKey: ['admin', 'email-template-preview', settled],
    queryFn: () =>
      api
        .post<{ preview: Preview }>('email/templates/preview', {
          text_template: settled.text_template || null,
          html_template: settled.html_template || null,
        })
        .then((r) => r.preview),
    placeholderData: (previous) => previous,
  });
  const save = useMutation({
    mutationFn: () =>
      api.put('email/settings', {
        email_settings: {
          text_template: form.text_template || null,
          html_template: form.html_template || null,
        },
      }),
    onSuccess: () => {
      showSaved();
      queryClient.invalidateQueries({ queryKey: settingsKey });
    },
  });
  const problems = useProblems(save.error, ['text_template', 'html_template']);
  const field = textFields(form, setForm, problems);
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
        <TextArea label={t('email.templates.text')} spellCheck={false} {...field('text_template')} />
        <TextArea label={t('email.templates.html')} spellCheck={false} {...field('html_template')} />
        <FormActions pending={save.isPending} submitLabel={t('shell.save')}>
          <button type="button" className="button" onClick={() => setResetting(true)}>
            {t('email.templates.reset')}
          </button>
          {saved}
        </FormActions>
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
          setForm({ text_template: '', html_template: '' });
          await queryClient.invalidateQueries({ queryKey: settingsKey });
        }}
        onClose={() => setResetting(false)}
      />
    </>
  );
}
