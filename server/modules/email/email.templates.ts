import type { TenantDb } from '../../platform/db/tenant-db.ts';
import type { ErrorDetails } from '../../platform/http/errors.ts';
import { escapeHtml } from '../../platform/http/pages.ts';
import { placeholderError, renderPlaceholders } from '../macros/placeholders.ts';
import { textToHtml } from '../tickets/comment-text.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import { REPLY_MARKER } from './email.inbound.ts';

/**
 * The frame every ticket mail of an account is drawn in: a plain-text and an HTML template (Liquid) with
 * `{{content}}` (the notification the rule wrote), `{{footer}}`, `{{delimiter}}` (the reply marker, so Haven
 * can cut quoted history from replies), `{{account.name}}`, `{{brand_color}}` and the ticket's placeholders.
 * A template that does not render never fails a mail: the default frame is used instead.
 */
export const DEFAULT_TEXT_TEMPLATE = '{{delimiter}}\n\n{{content}}\n\n--\n{{footer}}\n';

export const DEFAULT_HTML_TEMPLATE = `<!doctype html><html><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;line-height:1.5">
<p style="color:#9aa5b1;font-size:12px">{{delimiter}}</p>
<div style="border-top:4px solid {{brand_color}};padding:16px 0;max-width:640px">{{content}}</div>
<p style="color:#52606d;font-size:12px">{{footer}}</p></body></html>`;

const DEFAULT_BRAND = '#1f73b7';

export interface LayoutInput {
  templates: { text_template: string | null; html_template: string | null } | null;
  account: { name: string; brand_color?: string | null };
  ticket: TicketRow | null;
  /** The notification's text (already rendered). */
  content: string;
  /** Plain-text footer lines (the account's name; the unsubscribe link for list mail). */
  footer: string;
}

// Rendered HTML goes in after Liquid ran (Liquid escapes every value of an HTML template); these stand in.
const CONTENT_SLOT = 'HAVENSLOTCONTENT9F2C';
const FOOTER_SLOT = 'HAVENSLOTFOOTER9F2C';

function brandColor(color: string | null | undefined): string {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : DEFAULT_BRAND;
}

async function renderOne(
  db: TenantDb,
  template: string,
  fallback: string,
  input: LayoutInput,
  html: boolean,
): Promise<string> {
  const extra = {
    content: html ? CONTENT_SLOT : input.content,
    footer: html ? FOOTER_SLOT : input.footer,
    delimiter: REPLY_MARKER,
    account: { name: input.account.name },
    brand_color: brandColor(input.account.brand_color),
  };
  const use = placeholderError(template) === null ? template : fallback;
  let out = await renderPlaceholders(db, use, { ticket: input.ticket, actor: null, html, extra });
  if (!html) return out;
  out = out
    .split(CONTENT_SLOT)
    .join(textToHtml(input.content))
    .split(FOOTER_SLOT)
    .join(escapeHtml(input.footer).replace(/\n/g, '<br>'));
  return out;
}

/** The mail's text and HTML in the account's frame. */
export async function renderLayout(
  db: TenantDb,
  input: LayoutInput,
): Promise<{ text: string; html: string }> {
  const textTemplate = input.templates?.text_template || DEFAULT_TEXT_TEMPLATE;
  const htmlTemplate = input.templates?.html_template || DEFAULT_HTML_TEMPLATE;
  let text = await renderOne(db, textTemplate, DEFAULT_TEXT_TEMPLATE, input, false);
  // The reply marker must lead every ticket mail, whatever the template says.
  if (!text.includes(REPLY_MARKER)) text = `${REPLY_MARKER}\n\n${text}`;
  const html = await renderOne(db, htmlTemplate, DEFAULT_HTML_TEMPLATE, input, true);
  return { text, html };
}

/** Problems with templates an admin is saving (422 details), or null. */
export function templateProblems(input: {
  text_template?: string | null;
  html_template?: string | null;
}): ErrorDetails | null {
  const details: ErrorDetails = {};
  for (const key of ['text_template', 'html_template'] as const) {
    const template = input[key];
    if (!template) continue;
    const problem = placeholderError(template);
    if (problem) details[key] = [{ description: `cannot be rendered: ${problem}`, error: 'InvalidValue' }];
    else if (!template.includes('content')) {
      details[key] = [{ description: 'must include {{content}}', error: 'InvalidValue' }];
    }
  }
  return Object.keys(details).length ? details : null;
}

/** A preview with a sample notification (no ticket: ticket placeholders render empty). */
export async function previewTemplates(
  db: TenantDb,
  account: { name: string; brand_color?: string | null },
  templates: { text_template: string | null; html_template: string | null },
) {
  const content =
    'Your request (#123) has been received.\n\nWe will get back to you as soon as we can.\n\nSample Customer, 2026-01-01 12:00 UTC\n\nHello, my order has not arrived yet.';
  const rendered = await renderLayout(db, {
    templates,
    account,
    ticket: null,
    content,
    footer: account.name,
  });
  return { subject: '[Request received] My order has not arrived', ...rendered };
}
