import { type AddressObject, type Attachment, type HeaderValue, simpleParser } from 'mailparser';

/** A mailbox as a header names it. */
export interface MailAddress {
  address: string;
  name: string | null;
}

/** What processing reads from a raw message; mailparser decodes charsets, transfer encodings and RFC 2047 words. */
export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string[];
  /** Oldest first, as the header lists them. */
  references: string[];
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string | null;
  text: string;
  html: string | null;
  attachments: Attachment[];
  /** Lower-case header names; structured headers (Content-Type) come as `{value, params}`. */
  headers: Map<string, HeaderValue>;
}

/** Message-IDs found in a header value, each as `<id>`; mailparser gives one string or an array of them. */
export function messageIds(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const ids: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') continue;
    const bracketed = part.match(/<[^<>\s]+>/g);
    if (bracketed) ids.push(...bracketed);
    else for (const bare of part.split(/[\s,]+/)) if (bare.includes('@')) ids.push(`<${bare}>`);
  }
  return [...new Set(ids.map(normaliseMessageId).filter((id): id is string => id !== null))];
}

/** A Message-ID as Haven stores it: one `<…>` token, at most 998 characters (the longest header line). */
export function normaliseMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  const inner = trimmed.replace(/^<+/, '').replace(/>+$/, '').trim();
  if (!inner || /\s/.test(inner) || inner.length > 996) return null;
  return `<${inner}>`;
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  const out: MailAddress[] = [];
  const walk = (list: AddressObject['value']) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address && /^[^@\s]+@[^@\s]+$/.test(a.address)) {
        out.push({ address: a.address.trim(), name: a.name?.trim() || null });
      }
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  // cid: links stay as they are: processing points them at the stored attachments.
  const mail = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipImageLinks: true });
  const from = addresses(mail.from)[0] ?? null;
  return {
    messageId: normaliseMessageId(mail.messageId),
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(mail.references),
    from,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject?.trim() || null,
    text: mail.text ?? '',
    html: typeof mail.html === 'string' && mail.html.trim() ? mail.html : null,
    attachments: mail.attachments,
    headers: mail.headers,
  };
}

/** A header's text (the `value` of a structured one), or null. */
export function headerText(headers: Map<string, HeaderValue>, name: string): string | null {
  const v = headers.get(name);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') return v.value;
  if (typeof v === 'object' && 'text' in v && typeof (v as { text: unknown }).text === 'string')
    return (v as { text: string }).text;
  return String(v);
}

/** The parameters of a structured header (Content-Type's `report-type`). */
export function headerParams(headers: Map<string, HeaderValue>, name: string): Record<string, string> {
  const v = headers.get(name);
  if (v && typeof v === 'object' && 'params' in v) return (v as { params: Record<string, string> }).params;
  return {};
}
