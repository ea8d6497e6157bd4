import type { MessageKey } from '../../../i18n/index.ts';
import { labelOr } from '../ui.tsx';
import './email.css';

/**
 * What the email settings screens share: the API's records as the screens read them, and a status shown
 * in words with its colour.
 */

export interface RecipientAddress {
  id: number | string;
  email: string;
  name: string | null;
  default: boolean;
  forwarding_status: 'unknown' | 'waiting' | 'verified' | 'failed';
  /** The built-in support@{subdomain}.{base domain}: always there, cannot be deleted or renamed. */
  built_in?: boolean;
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

/** A status in the workspace's words (`{area}.{status}`), coloured by `email-status-{status}`. */
export function StatusText({ area, status }: { area: string; status: string }) {
  return (
    <span className={`email-status-${status}`}>
      {labelOr(`email.${area}.${status}` as MessageKey, status)}
    </span>
  );
}

/** Lines of a textarea as a list: trimmed, without empty lines. */
export const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
