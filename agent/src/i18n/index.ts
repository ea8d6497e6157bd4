/**
 * Every string the agent app shows lives under i18n/en/, one file per area, so a translation is one folder
 * beside it. `t('tickets.reply')` looks a key up; `{name}` placeholders are filled from `values`.
 * A missing key shows the key itself, so a gap is visible rather than blank.
 */
import { admin } from './en/admin.ts';
import { customers } from './en/customers.ts';
import { email } from './en/email.ts';
import { shell } from './en/shell.ts';
import { tickets } from './en/tickets.ts';
import { views } from './en/views.ts';

const en = { shell, tickets, views, admin, customers, email } as const;

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<typeof en>;

export function t(key: MessageKey, values?: Record<string, string | number>): string {
  let node: unknown = en;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  let text = typeof node === 'string' ? node : key;
  if (values) text = text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? `{${name}}`));
  return text;
}

/** "3 tickets" / "1 ticket": keys `x_one` and `x_other`. */
export function plural(key: string, count: number, values?: Record<string, string | number>): string {
  return t(`${key}_${count === 1 ? 'one' : 'other'}` as MessageKey, { count, ...values });
}
