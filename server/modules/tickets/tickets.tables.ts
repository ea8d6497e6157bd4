import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';
import type { TicketSatisfactionScore } from '../satisfaction/satisfaction.tables.ts';
import type { StoredMetric } from '../sla/sla.tables.ts';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type TicketType = (typeof TICKET_TYPES)[number];

/** Where a ticket or comment came from (`via.channel` and `via.source` in the API). */
export interface ViaSource {
  from?: Record<string, unknown>;
  to?: Record<string, unknown>;
  rel?: string | null;
}

export interface TicketsTable {
  account_id: number;
  id: Generated<number>;
  external_id: string | null;
  subject: Generated<string>;
  description: Generated<string>;
  status: Generated<TicketStatus>;
  priority: TicketPriority | null;
  type: TicketType | null;
  requester_id: number | null;
  submitter_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  problem_id: number | null;
  followup_source_id: number | null;
  collaborator_ids: Generated<number[]>;
  follower_ids: Generated<number[]>;
  email_cc_ids: Generated<number[]>;
  tags: Generated<string[]>;
  /** Field id → value, validated against ticket_fields on every write. */
  custom_fields: Generated<Record<string, unknown>>;
  due_at: Date | null;
  via_channel: Generated<string>;
  via_source: Generated<ViaSource>;
  recipient: string | null;
  is_public: Generated<boolean>;
  comment_count: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  status_updated_at: Generated<Date>;
  assigned_at: Date | null;
  initially_assigned_at: Date | null;
  solved_at: Date | null;
  requester_updated_at: Date | null;
  agent_updated_at: Date | null;
  deleted_at: Date | null;
  deleted_by_id: number | null;
  /** SLA state (modules/sla, sla.metrics.ts): the policy that set the targets, its metrics, the next breach. */
  sla_policy_id: number | null;
  sla_metrics: Generated<StoredMetric[]>;
  sla_breach_at: Date | null;
  /** 'unoffered' | 'offered' | 'good' | 'bad' (modules/satisfaction); the comment lives on the rating only. */
  satisfaction_score: Generated<TicketSatisfactionScore>;
}

/** One change inside an audit, in Zendesk's shape (`Create`, `Change`, `Comment`, `Notification` …). */
export interface AuditEvent {
  id: number;
  type: string;
  field_name?: string;
  value?: unknown;
  previous_value?: unknown;
  [extra: string]: unknown;
}

export interface TicketAuditsTable {
  account_id: number;
  id: Generated<number>;
  ticket_id: number;
  author_id: number | null;
  via_channel: Generated<string>;
  via_source: Generated<ViaSource>;
  client: string | null;
  ip_address: string | null;
  events: Generated<AuditEvent[]>;
  created_at: Generated<Date>;
}

export interface TicketCommentsTable {
  account_id: number;
  id: Generated<number>;
  ticket_id: number;
  audit_id: number | null;
  author_id: number | null;
  body: Generated<string>;
  html_body: Generated<string>;
  public: Generated<boolean>;
  via_channel: Generated<string>;
  via_source: Generated<ViaSource>;
  created_at: Generated<Date>;
}

export interface JobStatusesTable {
  account_id: number;
  id: string;
  job_type: string;
  status: Generated<'queued' | 'working' | 'completed' | 'failed' | 'killed'>;
  total: Generated<number>;
  progress: number | null;
  message: string | null;
  results: unknown[] | null;
  created_by_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// A ticket is about its requester: erasing them redacts what they wrote and unlinks them.
defineTable<TicketsTable>('tickets', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    external_id: pd.none(),
    subject: pd.content('redact'),
    description: pd.content('redact'),
    status: pd.none(),
    priority: pd.none(),
    type: pd.none(),
    requester_id: pd.subject('pseudonymize'),
    submitter_id: pd.identifier('pseudonymize'),
    assignee_id: pd.none(),
    group_id: pd.none(),
    organization_id: pd.none(),
    problem_id: pd.none(),
    followup_source_id: pd.none(),
    collaborator_ids: pd.identifier('pseudonymize'),
    follower_ids: pd.none(),
    email_cc_ids: pd.identifier('pseudonymize'),
    tags: pd.none(),
    custom_fields: pd.content('redact'),
    due_at: pd.none(),
    via_channel: pd.none(),
    via_source: pd.contact('redact'),
    recipient: pd.contact('nullify'),
    is_public: pd.none(),
    comment_count: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
    status_updated_at: pd.none(),
    assigned_at: pd.none(),
    initially_assigned_at: pd.none(),
    solved_at: pd.none(),
    requester_updated_at: pd.none(),
    agent_updated_at: pd.none(),
    deleted_at: pd.none(),
    deleted_by_id: pd.none(),
    sla_policy_id: pd.none(),
    sla_metrics: pd.none(),
    sla_breach_at: pd.none(),
    satisfaction_score: pd.none(),
  },
});

defineTable<TicketAuditsTable>('ticket_audits', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    ticket_id: pd.none(),
    author_id: pd.subject('pseudonymize'),
    via_channel: pd.none(),
    via_source: pd.contact('redact'),
    client: pd.technical('nullify'),
    ip_address: pd.technical('nullify'),
    events: pd.content('redact'),
    created_at: pd.none(),
  },
});

defineTable<TicketCommentsTable>('ticket_comments', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    ticket_id: pd.none(),
    audit_id: pd.none(),
    author_id: pd.subject('pseudonymize'),
    body: pd.content('redact'),
    html_body: pd.content('redact'),
    public: pd.none(),
    via_channel: pd.none(),
    via_source: pd.contact('redact'),
    created_at: pd.none(),
  },
});

defineTable<JobStatusesTable>('job_statuses', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    job_type: pd.none(),
    status: pd.none(),
    total: pd.none(),
    progress: pd.none(),
    message: pd.none(),
    results: pd.none(),
    created_by_id: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});
