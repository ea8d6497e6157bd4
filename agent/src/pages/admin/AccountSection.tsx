import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { Select, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import type { Account } from '../../lib/types.ts';
import { AdminForm, ProblemList, problemsOf, SectionHeader, useProblems, useSavedNotice } from './ui.tsx';

const HEX = /^#[0-9a-f]{6}$/i;
const DEFAULT_BRAND = '#1f5fbf';
/** Set before the reload that shows a new name or colour everywhere, so "Saved" still shows after it. */
const SAVED_FLAG = 'haven:admin:account-saved';

const LOCALES = [
  'en-US',
  'en-GB',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pt-BR',
  'pt',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'tr',
  'ja',
  'ko',
  'zh-CN',
  'zh-TW',
];

interface AccountForm {
  name: string;
  time_zone: string;
  locale: string;
  host_mapping: string;
  brand_color: string;
}

function formOf(a: Account): AccountForm {
  return {
    name: a.name,
    time_zone: a.time_zone,
    locale: a.locale,
    host_mapping: a.host_mapping ?? '',
    brand_color: a.brand_color ?? '',
  };
}

function timeZones(current: string): { value: string; label: string }[] {
  const zones = new Set<string>(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (current) zones.add(current);
  return [...zones].sort().map((z) => ({ value: z, label: z.replaceAll('_', ' ') }));
}

function locales(current: string): { value: string; label: string }[] {
  const names = new Intl.DisplayNames(undefined, { type: 'language' });
  const codes = new Set(LOCALES);
  if (current) codes.add(current);
  return [...codes].map((code) => {
    let label = code;
    try {
      label = `${names.of(code) ?? code} (${code})`;
    } catch {
      // Not a code the browser knows: show it as it is.
    }
    return { value: code, label };
  });
}

/** WCAG contrast ratio of white text on `hex`: buttons in the brand colour carry white labels. */
function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

/** The help desk's name, time zone, language, custom domain and brand colour. */
export default function AccountSection() {
  const account = useQuery({
    queryKey: ['admin', 'account'],
    queryFn: () => api.get<{ account: Account }>('account').then((r) => r.account),
  });
  if (account.error) return <ProblemList problems={problemsOf(account.error, []).other} />;
  if (!account.data) return <p className="loading">{t('shell.loading')}</p>;
  return <AccountEditor account={account.data} />;
}

function AccountEditor({ account }: { account: Account }) {
  const [form, setForm] = useState<AccountForm>(() => formOf(account));
  const [savedNotice, showSaved] = useSavedNotice();
  const colorId = useId();
  const zoneOptions = useMemo(() => timeZones(account.time_zone), [account.time_zone]);
  const localeOptions = useMemo(() => locales(account.locale), [account.locale]);

  useEffect(() => {
    if (sessionStorage.getItem(SAVED_FLAG)) {
      sessionStorage.removeItem(SAVED_FLAG);
      showSaved();
    }
  }, [showSaved]);

  const save = useMutation({
    mutationFn: () =>
      api.put<{ account: Account }>('account', {
        account: {
          name: form.name,
          time_zone: form.time_zone,
          locale: form.locale,
          host_mapping: form.host_mapping.trim() || null,
          brand_color: form.brand_color.trim() || null,
        },
      }),
    onSuccess: ({ account: saved }) => {
      setForm(formOf(saved));
      // The top bar, the page title and the accent colour come from the session loaded at start-up; a
      // reload is the one way to show the new name and colour everywhere at once.
      if (saved.name !== account.name || (saved.brand_color ?? null) !== (account.brand_color ?? null)) {
        sessionStorage.setItem(SAVED_FLAG, '1');
        window.location.reload();
        return;
      }
      showSaved();
    },
  });
  const problems = useProblems(save.error, ['name', 'time_zone', 'locale', 'host_mapping', 'brand_color']);
  const set = (patch: Partial<AccountForm>) => {
    problems.edited(...Object.keys(patch));
    setForm((f) => ({ ...f, ...patch }));
  };
  const pickerValue = HEX.test(form.brand_color) ? form.brand_color.toLowerCase() : DEFAULT_BRAND;
  const contrast = contrastWithWhite(pickerValue);

  return (
    <>
      <SectionHeader title={t('admin.account.title')} intro={t('admin.account.intro')} />
      <AdminForm className="card admin-form" onSubmit={() => save.mutate()} problems={problems.other}>
        <TextInput
          label={t('admin.account.name')}
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
          error={problems.byField.name}
          required
        />
        <p className="muted admin-static">{t('admin.account.subdomain', { subdomain: account.subdomain })}</p>
        <Select
          label={t('admin.account.timeZone')}
          value={form.time_zone}
          onChange={(e) => set({ time_zone: e.target.value })}
          options={zoneOptions}
          error={problems.byField.time_zone}
        />
        <Select
          label={t('admin.account.locale')}
          hint={t('admin.account.localeHint')}
          value={form.locale}
          onChange={(e) => set({ locale: e.target.value })}
          options={localeOptions}
          error={problems.byField.locale}
        />
        <TextInput
          label={t('admin.account.hostMapping')}
          hint={t('admin.account.hostMappingHint')}
          value={form.host_mapping}
          onChange={(e) => set({ host_mapping: e.target.value })}
          error={problems.byField.host_mapping}
          placeholder="support.example.com"
          spellCheck={false}
        />
        <div className="field">
          <label htmlFor={colorId}>{t('admin.account.brandColor')}</label>
          <div className="admin-color">
            <input
              type="color"
              value={pickerValue}
              onChange={(e) => set({ brand_color: e.target.value })}
              aria-label={t('admin.account.brandColorPicker')}
            />
            <input
              id={colorId}
              type="text"
              value={form.brand_color}
              onChange={(e) => set({ brand_color: e.target.value })}
              placeholder={DEFAULT_BRAND}
              spellCheck={false}
              aria-invalid={problems.byField.brand_color ? true : undefined}
              aria-describedby={`${colorId}-hint${problems.byField.brand_color ? ` ${colorId}-error` : ''}`}
            />
            <span className="admin-brand-sample" style={{ background: pickerValue }} aria-hidden="true">
              {t('admin.account.brandSample')}
            </span>
          </div>
          <p className="hint" id={`${colorId}-hint`}>
            {t('admin.account.brandColorHint')}
            {contrast < 4.5 && ` ${t('admin.account.lowContrast', { ratio: contrast.toFixed(1) })}`}
          </p>
          {problems.byField.brand_color && (
            <p className="field-error" id={`${colorId}-error`}>
              {problems.byField.brand_color}
            </p>
          )}
        </div>
        <div className="admin-form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? t('shell.saving') : t('shell.save')}
          </button>
          {savedNotice}
        </div>
      </AdminForm>
    </>
  );
}
