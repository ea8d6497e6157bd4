/** Events the attachments module appends to the outbox. Payloads carry ids, never file names or bytes. */
export const ATTACHMENT_EVENTS = {
  redacted: 'attachment.redacted',
} as const;
