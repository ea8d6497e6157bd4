import { isoTime } from '../../platform/http/format.ts';
import type { AttemptRow, InvocationRow, WebhookRow } from './webhooks.queries.ts';

const userRef = (id: number | null) => (id === null ? null : String(id));

/**
 * A webhook in Zendesk's shape. An allowlist: the signing secret and the credentials' data never appear; only
 * the authentication type does (Zendesk shows no more).
 */
export function presentWebhook(w: WebhookRow) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    status: w.status,
    endpoint: w.endpoint,
    http_method: w.http_method,
    request_format: w.request_format,
    subscriptions: w.subscriptions,
    ...(w.auth_type ? { authentication: { type: w.auth_type, add_position: 'header' } } : {}),
    custom_headers: w.custom_headers,
    /** Why Haven deactivated the webhook (repeated failures), until an admin sets it active again. */
    deactivated_at: isoTime(w.deactivated_at),
    deactivation_reason: w.deactivation_reason,
    created_at: isoTime(w.created_at),
    created_by: userRef(w.created_by_id),
    updated_at: isoTime(w.updated_at),
    updated_by: userRef(w.updated_by_id),
  };
}

/** One invocation of a webhook: what asked for it, where it stands, and its latest response code. */
export function presentInvocation(i: InvocationRow) {
  return {
    id: i.id,
    webhook_id: i.webhook_id,
    status: i.status,
    status_code: i.last_status_code,
    attempts_count: i.attempts,
    created_at: isoTime(i.created_at),
    latest_completed_at: isoTime(i.last_attempt_at),
    completed_at: isoTime(i.completed_at),
    next_attempt_at: i.status === 'retrying' || i.status === 'pending' ? isoTime(i.next_attempt_at) : null,
    source: { type: i.source_type, id: i.source_id, title: i.source_title, ticket_id: i.ticket_id },
  };
}

export function presentAttempt(a: AttemptRow) {
  return {
    id: a.id,
    invocation_id: a.invocation_id,
    attempt: a.attempt,
    status: a.status,
    status_code: a.status_code,
    duration: a.duration_ms,
    error: a.error,
    response: { status: a.status_code, body: a.response_body },
    completed_at: isoTime(a.created_at),
  };
}
