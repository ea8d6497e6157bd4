import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export type WebhookStatus = 'active' | 'inactive';
export type WebhookAuthType = 'basic_auth' | 'bearer_token' | 'api_key';
export type InvocationStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface WebhooksTable {
  account_id: number;
  /** A ULID, as Zendesk's webhook ids are strings. */
  id: string;
  name: string;
  description: string | null;
  status: Generated<WebhookStatus>;
  endpoint: string;
  http_method: string;
  request_format: Generated<string>;
  subscriptions: Generated<string[]>;
  auth_type: WebhookAuthType | null;
  /** basic_auth: the user name; api_key: the header's name. */
  auth_name: string | null;
  /** basic_auth: the password; bearer_token: the token; api_key: the header's value. */
  auth_secret: string | null;
  custom_headers: Generated<Record<string, string>>;
  signing_secret: string;
  /** Invocations failed in a row since `failing_since`; reset by a delivery. */
  consecutive_failures: Generated<number>;
  failing_since: Date | null;
  deactivated_at: Date | null;
  deactivation_reason: string | null;
  created_by_id: number | null;
  updated_by_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookInvocationsTable {
  account_id: number;
  id: string;
  webhook_id: string;
  /** What asked for the call: `trigger` or `automation`, with its id and title at the time. */
  source_type: string;
  source_id: number | null;
  source_title: string | null;
  ticket_id: number | null;
  /** The rendered request body. */
  payload: string;
  status: Generated<InvocationStatus>;
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_attempt_at: Date | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
}

export interface WebhookAttemptsTable {
  account_id: number;
  id: string;
  invocation_id: string;
  attempt: number;
  status: 'success' | 'failed';
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  /** The start of the receiver's answer (64 KB at most). */
  response_body: string | null;
  created_at: Generated<Date>;
}

// A webhook is account configuration, not about a person; its credentials and signing secret are stored in
// clear because Haven must send them (never returned by the API, never logged).
defineTable<WebhooksTable>('webhooks', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    name: pd.none(),
    description: pd.none(),
    status: pd.none(),
    endpoint: pd.technical('retain:account configuration, shown to admins'),
    http_method: pd.none(),
    request_format: pd.none(),
    subscriptions: pd.none(),
    auth_type: pd.none(),
    auth_name: pd.secret('retain:account credential for the receiver, not about a person'),
    auth_secret: pd.secret('retain:account credential for the receiver, not about a person'),
    custom_headers: pd.technical('retain:account configuration, shown to admins'),
    signing_secret: pd.secret('retain:account credential for the receiver, not about a person'),
    consecutive_failures: pd.none(),
    failing_since: pd.none(),
    deactivated_at: pd.none(),
    deactivation_reason: pd.none(),
    created_by_id: pd.identifier('nullify'),
    updated_by_id: pd.identifier('nullify'),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// The payload and the receiver's answer can carry ticket text and names: kept 7 days (pruned by
// `webhooks.prune`), and deleted with their ticket.
defineTable<WebhookInvocationsTable>('webhook_invocations', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    webhook_id: pd.none(),
    source_type: pd.none(),
    source_id: pd.none(),
    source_title: pd.none(),
    ticket_id: pd.identifier('delete_row'),
    payload: pd.content('delete_row'),
    status: pd.none(),
    attempts: pd.none(),
    next_attempt_at: pd.none(),
    last_status_code: pd.none(),
    last_attempt_at: pd.none(),
    created_at: pd.none(),
    completed_at: pd.none(),
  },
});

defineTable<WebhookAttemptsTable>('webhook_attempts', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    invocation_id: pd.none(),
    attempt: pd.none(),
    status: pd.none(),
    status_code: pd.none(),
    error: pd.technical('delete_row'),
    duration_ms: pd.none(),
    response_body: pd.content('delete_row'),
    created_at: pd.none(),
  },
});

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_invocations: WebhookInvocationsTable;
  webhook_attempts: WebhookAttemptsTable;
}
