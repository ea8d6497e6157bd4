import { type MessageKey, t } from '../../i18n/index.ts';
import { formatDate } from '../../lib/format.ts';
import type { Audit, TicketField } from '../../lib/types.ts';

/** How ids in audits become words: people, groups, organizations and custom fields by id. */
export interface Names {
  user(id: number): string;
  group(id: number): string;
  organization(id: number): string;
  field(id: number): TicketField | undefined;
}

type AuditEvent = Audit['events'][number];

const none = () => t('tickets.history.none');

export function statusLabel(status: string): string {
  return t(`tickets.status.${status}` as MessageKey);
}

export function priorityLabel(priority: string | null): string {
  return priority ? t(`tickets.priority.${priority}` as MessageKey) : none();
}

export function typeLabel(type: string | null): string {
  return type ? t(`tickets.type.${type}` as MessageKey) : none();
}

const FIELD_KEYS: Record<string, MessageKey> = {
  subject: 'tickets.fields.subject',
  status: 'tickets.fields.status',
  priority: 'tickets.fields.priority',
  type: 'tickets.fields.type',
  requester_id: 'tickets.fields.requester',
  submitter_id: 'tickets.fields.submitter',
  assignee_id: 'tickets.fields.assignee',
  group_id: 'tickets.fields.group',
  organization_id: 'tickets.fields.organization',
  problem_id: 'tickets.fields.problem',
  tags: 'tickets.fields.tags',
  external_id: 'tickets.fields.externalId',
  due_at: 'tickets.fields.dueAt',
  collaborator_ids: 'tickets.fields.collaborators',
  follower_ids: 'tickets.fields.followers',
  email_cc_ids: 'tickets.fields.ccs',
  is_public: 'tickets.fields.isPublic',
};

export function fieldLabel(name: string): string {
  const key = FIELD_KEYS[name];
  return key ? t(key) : name.replace(/_/g, ' ');
}

/** A custom field's value in words: option names for drop-downs, Yes/No for checkboxes. */
export function customValue(field: TicketField | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length))
    return none();
  const option = (v: unknown) => field?.custom_field_options?.find((o) => o.value === v)?.name ?? String(v);
  if (Array.isArray(value)) return value.map(option).join(', ');
  if (typeof value === 'boolean') return value ? t('tickets.history.yes') : t('tickets.history.no');
  if (field?.type === 'tagger') return option(value);
  return String(value);
}

function valueText(name: string, value: unknown, names: Names): string {
  if (value === null || value === undefined || value === '') return none();
  switch (name) {
    case 'status':
      return statusLabel(String(value));
    case 'priority':
      return priorityLabel(String(value));
    case 'type':
      return typeLabel(String(value));
    case 'requester_id':
    case 'submitter_id':
    case 'assignee_id':
      return names.user(Number(value));
    case 'group_id':
      return names.group(Number(value));
    case 'organization_id':
      return names.organization(Number(value));
    case 'problem_id':
      return `#${value}`;
    case 'due_at':
      return formatDate(String(value));
    case 'is_public':
      return value ? t('tickets.history.yes') : t('tickets.history.no');
    case 'collaborator_ids':
    case 'follower_ids':
    case 'email_cc_ids':
      return Array.isArray(value) && value.length
        ? value.map((id) => names.user(Number(id))).join(', ')
        : none();
    case 'tags':
      return Array.isArray(value) && value.length ? value.join(', ') : none();
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function customFieldChanges(value: unknown, previous: unknown, names: Names, created: boolean): string[] {
  const now = (value ?? {}) as Record<string, unknown>;
  const before = (previous ?? {}) as Record<string, unknown>;
  const ids = [...new Set([...Object.keys(now), ...Object.keys(before)])];
  return ids
    .filter((id) => JSON.stringify(now[id] ?? null) !== JSON.stringify(before[id] ?? null))
    .map((id) => {
      const field = names.field(Number(id));
      const title = field?.title ?? t('tickets.history.unknownField', { id });
      return created
        ? t('tickets.history.set', { field: title, value: customValue(field, now[id]) })
        : t('tickets.history.changed', {
            field: title,
            from: customValue(field, before[id]),
            to: customValue(field, now[id]),
          });
    });
}

/** Where a change came from, when a business rule made it (`via.source.rel` trigger or automation). */
export interface RuleVia {
  channel?: string;
  source?: { rel?: string | null; from?: { id?: number; title?: string; deleted?: boolean } | null } | null;
}

export function ruleOf(
  via: RuleVia | null | undefined,
): { kind: 'trigger' | 'automation'; title: string } | null {
  const rel = via?.source?.rel;
  if (rel !== 'trigger' && rel !== 'automation') return null;
  const from = via?.source?.from;
  return { kind: rel, title: from?.title ?? (from?.id ? `#${from.id}` : '') };
}

/** A Notification event's recipients: user ids become names; addresses stay as they are. */
function recipientsText(e: AuditEvent, names: Names): string {
  const { recipients: list, recipient } = e as { recipients?: unknown; recipient?: unknown };
  if (Array.isArray(list) && list.length)
    return list.map((r) => (typeof r === 'number' ? names.user(r) : String(r))).join(', ');
  // Groups and "all agents" are resolved when the mail is sent, so the event names the role instead.
  const role = typeof recipient === 'string' ? recipient : '';
  const group = /^group:(\d+)$/.exec(role);
  if (group) return names.group(Number(group[1]));
  const key = `tickets.history.recipients.${role === 'group:ticket' ? 'group_id' : role}` as MessageKey;
  return role && t(key) !== key ? t(key) : t('tickets.history.nobody');
}

/** One audit event as lines of plain words ("Status: Open → Pending", "Tags: added vip"). */
export function describeEvent(e: AuditEvent, names: Names): string[] {
  switch (e.type) {
    case 'Notification':
    case 'Cc':
    case 'FollowerNotification': {
      const subject = (e as { subject?: string }).subject;
      return [
        subject
          ? t('tickets.history.emailSentAbout', { to: recipientsText(e, names), subject })
          : t('tickets.history.emailSent', { to: recipientsText(e, names) }),
      ];
    }
    case 'SatisfactionRating': {
      const score = String((e as { score?: string }).score ?? '');
      const key = `tickets.satisfaction.scores.${score}` as MessageKey;
      const label = t(key) === key ? score : t(key);
      const comment = (e as { comment?: string | null; body?: string | null }).comment;
      if (score === 'offered') return [t('tickets.history.ratingOffered')];
      return [
        comment
          ? t('tickets.history.ratedWithComment', { score: label, comment })
          : t('tickets.history.rated', { score: label }),
      ];
    }
    case 'WebhookCall':
    case 'External': {
      const x = e as { webhook_name?: string; title?: string; resource?: string };
      const name = x.webhook_name ?? x.title ?? x.resource;
      return [name ? t('tickets.history.webhookCalled', { name }) : t('tickets.history.webhookQueued')];
    }
    case 'RuleError':
      return [t('tickets.history.ruleError', { message: String((e as { message?: string }).message ?? '') })];
    case 'Comment':
      return [e.public === false ? t('tickets.history.addedNote') : t('tickets.history.addedReply')];
    case 'CommentPrivacyChange':
      return [t('tickets.history.madePrivate')];
    case 'CommentRedactionEvent':
      return [t('tickets.history.redacted')];
    case 'Create':
    case 'Change': {
      const name = e.field_name ?? '';
      const created = e.type === 'Create';
      if (name === 'custom_fields') return customFieldChanges(e.value, e.previous_value, names, created);
      if (name === 'tags' && !created) {
        const now = (e.value as string[] | null) ?? [];
        const before = (e.previous_value as string[] | null) ?? [];
        const added = now.filter((x) => !before.includes(x));
        const removed = before.filter((x) => !now.includes(x));
        const parts = [
          added.length ? t('tickets.history.tagsAdded', { tags: added.join(', ') }) : '',
          removed.length ? t('tickets.history.tagsRemoved', { tags: removed.join(', ') }) : '',
        ].filter(Boolean);
        return [`${fieldLabel('tags')}: ${parts.join('; ')}`];
      }
      if (created)
        return [
          t('tickets.history.set', { field: fieldLabel(name), value: valueText(name, e.value, names) }),
        ];
      return [
        t('tickets.history.changed', {
          field: fieldLabel(name),
          from: valueText(name, e.previous_value, names),
          to: valueText(name, e.value, names),
        }),
      ];
    }
    default:
      return [e.type];
  }
}

export function describeAudit(audit: Audit, names: Names): string[] {
  const auditRule = ruleOf(audit.via as RuleVia);
  return audit.events.flatMap((e) => {
    const lines = describeEvent(e, names);
    const rule = ruleOf((e as { via?: RuleVia }).via);
    // A rule's own audit already names it in its heading; inside someone's update, say which rule did what.
    if (!rule || (auditRule && auditRule.kind === rule.kind && auditRule.title === rule.title)) return lines;
    return lines.map((line) =>
      t(rule.kind === 'trigger' ? 'tickets.history.byTrigger' : 'tickets.history.byAutomation', {
        line,
        title: rule.title,
      }),
    );
  });
}

/** User ids an audit names (authors and people fields), so their names can be fetched in one call. */
export function userIdsIn(audits: Audit[]): number[] {
  const ids = new Set<number>();
  for (const a of audits) {
    if (a.author_id) ids.add(a.author_id);
    for (const e of a.events) {
      const recipients = (e as { recipients?: unknown }).recipients;
      if (Array.isArray(recipients)) for (const id of recipients) if (typeof id === 'number') ids.add(id);
      if (!e.field_name) continue;
      if (['requester_id', 'submitter_id', 'assignee_id'].includes(e.field_name)) {
        for (const v of [e.value, e.previous_value]) if (typeof v === 'number') ids.add(v);
      }
      if (['collaborator_ids', 'follower_ids', 'email_cc_ids'].includes(e.field_name)) {
        for (const v of [e.value, e.previous_value])
          if (Array.isArray(v)) for (const id of v) if (typeof id === 'number') ids.add(id);
      }
    }
  }
  return [...ids];
}
