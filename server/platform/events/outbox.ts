import type { TenantDb } from '../db/tenant-db.ts';

/**
 * A domain event, appended to the outbox in the same transaction as the change it describes.
 * Payloads carry ids and field names only, never what people typed (the registry classifies them so).
 */
export interface DomainEvent {
  type: string;
  subjectType: string;
  subjectId: number | null;
  actorId: number | null;
  payload?: Record<string, string | number | boolean | null | (string | number)[]>;
}

export async function appendEvent(db: TenantDb, event: DomainEvent): Promise<void> {
  await db
    .insertInto('events', {
      type: event.type,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      actor_id: event.actorId,
      payload: event.payload ?? {},
    })
    .execute();
}

/** An event as listeners receive it after commit. */
export interface DispatchedEvent {
  id: number;
  accountId: number;
  type: string;
  subjectType: string;
  subjectId: number | null;
  actorId: number | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}
