import { useQuery } from '@tanstack/react-query';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import type { MessageKey } from '../../../i18n/index.ts';
import { api } from '../../../lib/api.ts';
import { formatDate, timeAgo } from '../../../lib/format.ts';
import { Loaded, labelOr, SectionHeader } from '../ui.tsx';
import './email.css';

/**
 * What the email settings screens share: the API's records as the screens read them, a status shown
 * in words with its colour, a time, a row's named button and the props of a form's text fields.
 */

export interface RecipientAddress {
  id: number | string;
  email: string;
  name: string | null;
  default: boolean;
  forwarding_status: 'unknown' | 'waiting' | 'verified' | 'failed';
  /** The built-in support@{subdomain}.{base domain}: always there, cannot be deleted or renamed. */
  /** The account's own support@{subdomain} address: always there, never deleted. */
  built_in: boolean;
  created_at?: string;
}

export interface EmailSettings {
  outbound: { smtp_configured: boolean; mail_from: string | null; waiting: number; failed: number };
  inbound: { smtp_port: number | null; system_address: string };
  dkim: {
    domain: string | null;
    selector: string | null;
    configured: boolean;
    dns_name: string | null;
    dns_value: string | null;
  };
  spam_threshold?: number | null;
  blocked_senders?: string[];
  rejected_senders?: string[];
  sender_rate_limit?: number | null;
  text_template?: string | null;
  html_template?: string | null;
}

export const settingsKey = ['admin', 'email-settings'] as const;

/** The account's email settings: `GET /api/v2/email/settings`. */
export function useEmailSettings() {
  return useQuery({
    queryKey: settingsKey,
    queryFn: () => api.get<{ email_settings: EmailSettings }>('email/settings').then((r) => r.email_settings),
  });
}

/** A screen drawn from the email settings: its header, then `children` once the settings are in. */
export function SettingsScreen({
  title,
  intro,
  children,
}: {
  title: string;
  intro: string;
  children: (settings: EmailSettings) => ReactNode;
}) {
  const settings = useEmailSettings();
  return (
    <>
      <SectionHeader title={title} intro={intro} />
      <Loaded error={settings.error} loading={!settings.data}>
        {settings.data && children(settings.data)}
      </Loaded>
    </>
  );
}

/** A status in the workspace's words (`{area}.{status}`), coloured by `email-status-{status}`. */
export function StatusText({ area, status }: { area: string; status: string }) {
  return (
    <span className={`email-status-${status}`}>
      {labelOr(`email.${area}.${status}` as MessageKey, status)}
    </span>
  );
}

/** A moment as "3 minutes ago", the full date on hover; `none` (muted) when there is none. */
export function When({ iso, none = '—' }: { iso: string | null; none?: string }) {
  if (!iso) return <span className="muted">{none}</span>;
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {timeAgo(iso)}
    </time>
  );
}

/** A button of a table row: `label` on screen, `name` (which says the row) for screen readers. */
export function RowButton({
  label,
  name,
  onClick,
  disabled,
  danger,
}: {
  label: string;
  name: string;
  onClick: () => void;
  disabled?: boolean;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      className={danger ? 'button danger' : 'button'}
      disabled={disabled}
      onClick={onClick}
      aria-label={name}
    >
      {label}
    </button>
  );
}

/** The keys of a form's text values. */
type TextKeys<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/**
 * The props of a form's text fields, each named as the API names it: its value, the API's message about it
 * from the last failed save (gone once it is edited), and the change that edits it.
 */
export function textFields<F extends object>(
  form: F,
  setForm: Dispatch<SetStateAction<F>>,
  problems: { byField: Record<string, string>; edited: (...names: string[]) => void },
) {
  return (name: TextKeys<F>) => ({
    value: form[name] as string,
    error: problems.byField[name],
    onChange: (e: { target: { value: string } }) => {
      const value = e.target.value;
      problems.edited(name);
      setForm((f) => ({ ...f, [name]: value }));
    },
  });
}

/** Lines of a textarea as a list: trimmed, without empty lines. */
export const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
