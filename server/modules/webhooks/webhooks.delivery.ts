import { createHmac } from 'node:crypto';
import { EgressError, type EgressResponse } from '../../platform/http/egress.ts';
import { isoTime } from '../../platform/http/format.ts';
import type { WebhookAuthType } from './webhooks.tables.ts';

/**
 * What one webhook request is made of (method, URL, signed headers, body) and what its answer means for the
 * invocation. Pure functions: webhooks.jobs.ts sends and records, the test route sends once.
 */
export const USER_AGENT = 'Haven-Webhooks/1';

/**
 * Test requests for a webhook that does not exist yet are signed with Zendesk's published test secret, so a
 * receiver written for Zendesk verifies them the same way.
 */
export const TEST_SIGNING_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

/** base64(HMAC-SHA256(secret, timestamp + body)), as Zendesk signs. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');
}

export interface WebhookCall {
  accountId: number;
  webhookId: string | null;
  invocationId: string;
  attempt: number;
  endpoint: string;
  httpMethod: string;
  authType: WebhookAuthType | null;
  authName: string | null;
  authSecret: string | null;
  customHeaders: Record<string, string>;
  signingSecret: string;
  payload: string;
  now: Date;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function authorization(call: WebhookCall): Record<string, string> {
  switch (call.authType) {
    case 'basic_auth':
      return {
        authorization: `Basic ${Buffer.from(`${call.authName}:${call.authSecret}`).toString('base64')}`,
      };
    case 'bearer_token':
      return { authorization: `Bearer ${call.authSecret}` };
    case 'api_key':
      return { [call.authName!.toLowerCase()]: call.authSecret! };
    default:
      return {};
  }
}

/**
 * GET and DELETE carry no body: a JSON object payload's plain values become query parameters instead (as
 * Zendesk's GET webhooks take key/value pairs), and the signature covers the empty body.
 */
function queryFromPayload(url: URL, payload: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || typeof value === 'object') continue;
    url.searchParams.append(key, String(value));
  }
}

export function buildWebhookRequest(call: WebhookCall): OutgoingRequest {
  const withBody = call.httpMethod !== 'GET' && call.httpMethod !== 'DELETE';
  const url = new URL(call.endpoint);
  if (!withBody) queryFromPayload(url, call.payload);
  const body = withBody ? call.payload : '';
  const timestamp = isoTime(call.now)!;
  const signature = webhookSignature(call.signingSecret, timestamp, body);
  const ids: Record<string, string> = { 'invocation-id': call.invocationId };
  if (call.webhookId) ids.id = call.webhookId;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.customHeaders)) headers[name.toLowerCase()] = value;
  Object.assign(headers, authorization(call), {
    'user-agent': USER_AGENT,
    'x-zendesk-account-id': String(call.accountId),
    'x-zendesk-webhook-signature': signature,
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-haven-account-id': String(call.accountId),
    'x-haven-webhook-signature': signature,
    'x-haven-webhook-signature-timestamp': timestamp,
    'x-haven-webhook-attempt': String(call.attempt),
  });
  for (const [key, value] of Object.entries(ids)) {
    headers[`x-zendesk-webhook-${key}`] = value;
    headers[`x-haven-webhook-${key}`] = value;
  }
  if (withBody) headers['content-type'] = 'application/json; charset=utf-8';
  return { method: call.httpMethod, url: url.toString(), headers, ...(withBody ? { body } : {}) };
}

export interface Outcome {
  delivered: boolean;
  /** Worth trying again later: network trouble, timeouts, 408, 429 and 5xx. */
  retry: boolean;
  statusCode: number | null;
  /** Why it failed, for the delivery log; null when the receiver answered (its status code says it). */
  error: string | null;
  /** The receiver asked to wait (Retry-After on 429 or 503). */
  retryAfterMs: number | null;
  responseBody: string | null;
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function outcomeOf(result: EgressResponse | EgressError): Outcome {
  if (result instanceof EgressError) {
    // Network trouble may pass; a refused address or a malformed request will not get better by waiting.
    const retry = result.code === 'timeout' || result.code === 'connection' || result.code === 'dns';
    return {
      delivered: false,
      retry,
      statusCode: null,
      error: `${result.code}: ${result.message}`,
      retryAfterMs: null,
      responseBody: null,
    };
  }
  const status = result.status;
  const delivered = status >= 200 && status < 300;
  const retry = !delivered && (status === 408 || status === 429 || status >= 500);
  return {
    delivered,
    retry,
    statusCode: status,
    error: null,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(result.headers['retry-after']) : null,
    responseBody: result.body,
  };
}

/** How an outcome reads in one line (the deactivation reason, logs). */
export function describeOutcome(outcome: Outcome): string {
  return outcome.error ?? `the receiver answered HTTP ${outcome.statusCode}`;
}

/** A Retry-After longer than this is cut to it, so one answer cannot park an invocation for days. */
export const RETRY_AFTER_CAP_MS = 15 * 60_000;

/** Exponential backoff from `baseMs` (base, 2×, 4×, …), or the receiver's Retry-After when longer (capped). */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs: number | null): number {
  const backoff = baseMs * 2 ** (attempt - 1);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}
