import type { TicketPriority, TicketType } from '../../lib/types.ts';
import type { TicketRecord } from './data.ts';

/** Statuses an agent can submit a ticket as (new is only ever the start, closed only the system's). */
export const SUBMIT_STATUSES = ['open', 'pending', 'hold', 'solved'] as const;
export type SubmitStatus = (typeof SUBMIT_STATUSES)[number];

/** Property edits waiting for the next submit; a key is present only when it differs from the ticket. */
export interface PendingChanges {
  status?: SubmitStatus;
  subject?: string;
  priority?: TicketPriority;
  type?: TicketType;
  group_id?: number | null;
  assignee_id?: number | null;
  tags_add?: string[];
  tags_remove?: string[];
  /** Custom field id → value. */
  custom_fields?: Record<string, unknown>;
}

export interface DraftUpload {
  token: string;
  file_name: string;
  size: number;
  content_type: string;
  thumbnail_url: string | null;
}

/**
 * What an agent has on the go for one ticket: the reply, whether it is public, the files attached and the
 * property edits. Saved on every change, so a reload or a failed submit loses nothing.
 */
export interface TicketDraft {
  html: string;
  public: boolean;
  uploads: DraftUpload[];
  changes: PendingChanges;
  /**
   * The ticket's `updated_at` when this draft began: the version the agent was working from. Submitting
   * with it as `updated_stamp` means an update someone else made in the meantime is never silently overwritten.
   */
  base: string | null;
}

export const EMPTY_DRAFT: TicketDraft = { html: '', public: true, uploads: [], changes: {}, base: null };

export function hasChanges(changes: PendingChanges): boolean {
  return Object.keys(changes).length > 0;
}

export function isDraftEmpty(d: TicketDraft): boolean {
  return !d.html && d.uploads.length === 0 && !hasChanges(d.changes);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The ticket's current value of a custom field. */
export function fieldValue(ticket: TicketRecord, fieldId: number): unknown {
  return ticket.custom_fields.find((f) => f.id === fieldId)?.value ?? null;
}

type Scalar = Exclude<keyof PendingChanges, 'tags_add' | 'tags_remove' | 'custom_fields'>;

/** Sets one property; setting it back to what the ticket holds drops the pending change. */
export function withChange<K extends Scalar>(
  changes: PendingChanges,
  ticket: TicketRecord,
  key: K,
  value: PendingChanges[K],
): PendingChanges {
  const next = { ...changes };
  const current = key === 'status' ? undefined : ticket[key as Exclude<Scalar, 'status'>];
  if (key !== 'status' && same(value, current)) delete next[key];
  else next[key] = value;
  return next;
}

export function withField(
  changes: PendingChanges,
  ticket: TicketRecord,
  fieldId: number,
  value: unknown,
): PendingChanges {
  const fields = { ...(changes.custom_fields ?? {}) };
  // An unchecked box, an empty text and an empty list all mean "no value".
  const isBlank = (v: unknown) => v === null || v === '' || v === false || (Array.isArray(v) && !v.length);
  const blank = isBlank(value);
  const current = fieldValue(ticket, fieldId);
  const currentBlank = isBlank(current);
  // Number inputs give text ("5") for a stored number (5): the same value, not a change.
  const scalarSame =
    typeof value !== 'object' && typeof current !== 'object' && String(value) === String(current);
  if (same(value, current) || scalarSame || (blank && currentBlank)) delete fields[fieldId];
  else fields[fieldId] = value;
  const next: PendingChanges = { ...changes, custom_fields: fields };
  if (!Object.keys(fields).length) delete next.custom_fields;
  return next;
}

/** The tags the ticket will carry after submit. */
export function effectiveTags(ticket: TicketRecord, changes: PendingChanges): string[] {
  const remove = new Set(changes.tags_remove ?? []);
  return [...new Set([...ticket.tags.filter((t) => !remove.has(t)), ...(changes.tags_add ?? [])])];
}

/** Adds and removes are kept as a difference, so they apply cleanly on top of what others changed since. */
export function withTags(changes: PendingChanges, ticket: TicketRecord, tags: string[]): PendingChanges {
  const wanted = new Set(tags);
  const add = tags.filter((t) => !ticket.tags.includes(t));
  const remove = ticket.tags.filter((t) => !wanted.has(t));
  const next: PendingChanges = { ...changes, tags_add: add, tags_remove: remove };
  if (!add.length) delete next.tags_add;
  if (!remove.length) delete next.tags_remove;
  return next;
}

/** The one `PUT /tickets/{id}` body for a submit: comment and property changes together. */
export function updateBody(
  draft: TicketDraft,
  ticket: TicketRecord,
  status: SubmitStatus | undefined,
  safe: boolean,
): Record<string, unknown> {
  const { tags_add, tags_remove, custom_fields, status: draftStatus, ...rest } = draft.changes;
  const body: Record<string, unknown> = { ...rest };
  const finalStatus = status ?? draftStatus;
  if (finalStatus && finalStatus !== ticket.status) body.status = finalStatus;
  if (tags_add?.length) body.additional_tags = tags_add;
  if (tags_remove?.length) body.remove_tags = tags_remove;
  if (custom_fields) {
    body.custom_fields = Object.entries(custom_fields).map(([id, value]) => ({
      id: Number(id),
      value: value === '' ? null : value,
    }));
  }
  if (draft.html || draft.uploads.length) {
    body.comment = {
      html_body: draft.html,
      public: draft.public,
      ...(draft.uploads.length ? { uploads: draft.uploads.map((u) => u.token) } : {}),
    };
  }
  if (safe) {
    body.safe_update = true;
    body.updated_stamp = draft.base ?? ticket.updated_at;
  }
  return { ticket: body };
}

/**
 * Folds what a macro would do into the draft, as Zendesk does: its comment is added to the reply being
 * written (and sets public/private), its property changes become pending. Nothing is written yet.
 */
export function applyMacroResult(
  draft: TicketDraft,
  ticket: TicketRecord,
  after: TicketRecord,
  comment: { html_body: string; public: boolean } | undefined,
): TicketDraft {
  let changes = { ...draft.changes };
  if (after.status !== ticket.status && (SUBMIT_STATUSES as readonly string[]).includes(after.status))
    changes.status = after.status as SubmitStatus;
  for (const key of ['subject', 'priority', 'type', 'group_id', 'assignee_id'] as const) {
    if (!same(after[key], ticket[key])) changes = withChange(changes, ticket, key, after[key] as never);
  }
  // The macro's tag edits, on top of the agent's own pending ones.
  const added = after.tags.filter((t) => !ticket.tags.includes(t));
  const removed = new Set(ticket.tags.filter((t) => !after.tags.includes(t)));
  if (added.length || removed.size) {
    const tags = [...effectiveTags(ticket, changes).filter((t) => !removed.has(t)), ...added];
    changes = withTags(changes, ticket, [...new Set(tags)]);
  }
  for (const f of after.custom_fields) {
    if (!same(f.value, fieldValue(ticket, f.id))) changes = withField(changes, ticket, f.id, f.value);
  }
  let html = draft.html;
  let isPublic = draft.public;
  if (comment?.html_body) {
    // Text macros come wrapped in Zendesk's comment <div>, which the editor would read as an empty line.
    const body = comment.html_body.replace(/^\s*<div class="zd-comment"[^>]*>([\s\S]*)<\/div>\s*$/, '$1');
    html = html ? `${html}${body}` : body;
    isPublic = comment.public;
  }
  return { ...draft, html, public: isPublic, changes };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
