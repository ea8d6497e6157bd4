/**
 * Events the webhooks module appends to the outbox. Webhook ids are strings, so they travel in the payload
 * (`webhook_id`) with a null subject id; payloads name fields, never their values.
 */
export const WEBHOOK_EVENTS = {
  created: 'webhook.created',
  updated: 'webhook.updated',
  deleted: 'webhook.deleted',
  deactivated: 'webhook.deactivated',
  signingSecretReset: 'webhook.signing_secret_reset',
} as const;
