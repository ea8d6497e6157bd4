import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type {
  SatisfactionRatingsTable,
  SatisfactionReasonsTable,
  TicketSatisfactionScore,
} from './satisfaction.tables.ts';

type UrlFor = (path: string) => string;
export type ReasonRow = Selectable<SatisfactionReasonsTable>;
/** A rating with the reason it names (null when it names none). */
export type RatingRow = Selectable<SatisfactionRatingsTable> & {
  reason_id: number | null;
  reason_value: string | null;
};

/** A satisfaction rating in Zendesk API v2 shape. */
export function presentRating(r: RatingRow, url: UrlFor) {
  return {
    url: url(`/api/v2/satisfaction_ratings/${r.id}.json`),
    id: r.id,
    assignee_id: r.assignee_id,
    group_id: r.group_id,
    requester_id: r.requester_id,
    ticket_id: r.ticket_id,
    score: r.score,
    comment: r.comment,
    reason: r.reason_value,
    reason_code: r.reason_code,
    reason_id: r.reason_id,
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
  };
}

export function presentReason(r: ReasonRow, url: UrlFor) {
  return {
    url: url(`/api/v2/satisfaction_reasons/${r.id}.json`),
    id: r.id,
    reason_code: r.reason_code,
    value: r.value,
    raw_value: r.value,
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
    deleted_at: isoTime(r.deleted_at),
  };
}

/** What a ticket shows of its rating beyond the score (ticketSatisfactionDetails loads it for a page of tickets). */
export interface TicketSatisfactionDetail {
  id: number;
  comment: string | null;
  reason: string | null;
  reason_id: number | null;
}

/**
 * A ticket's `satisfaction_rating`: `{score}` alone until a rating is offered (Zendesk shows
 * `{"score":"unoffered"}`), then with the rating's id, comment and reason when the caller loaded them.
 */
export function presentTicketSatisfaction(
  score: TicketSatisfactionScore,
  detail: TicketSatisfactionDetail | undefined,
) {
  if (score === 'unoffered' || !detail) return { score };
  return {
    score,
    id: detail.id,
    comment: detail.comment,
    reason: detail.reason,
    reason_id: detail.reason_id,
  };
}
