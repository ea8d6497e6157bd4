import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

/** Where a ticket stands (`tickets.satisfaction_score`): a rating is offered by a rule, then good or bad. */
export const TICKET_SATISFACTION_SCORES = ['unoffered', 'offered', 'good', 'bad'] as const;
export type TicketSatisfactionScore = (typeof TICKET_SATISFACTION_SCORES)[number];
/** A rating row exists from the offer on, so it is never 'unoffered'. */
export type RatingScore = Exclude<TicketSatisfactionScore, 'unoffered'>;

export interface SatisfactionRatingsTable {
  account_id: number;
  id: Generated<number>;
  ticket_id: number;
  requester_id: number | null;
  /** The ticket's assignee and group when it was rated (or offered, until it is rated). */
  assignee_id: number | null;
  group_id: number | null;
  score: RatingScore;
  comment: string | null;
  /** Set on bad ratings only: the reason the requester picked (0 when none). */
  reason_code: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SatisfactionReasonsTable {
  account_id: number;
  id: Generated<number>;
  reason_code: number;
  value: string;
  /** Zendesk's default reasons (codes below 1000); custom ones would start at 1000. */
  system: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

/** A rating link as mailed to a requester: only its token's digest is kept. */
export interface SatisfactionTokensTable {
  account_id: number;
  id: Generated<number>;
  ticket_id: number;
  requester_id: number;
  token_digest: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface SatisfactionTables {
  satisfaction_ratings: SatisfactionRatingsTable;
  satisfaction_reasons: SatisfactionReasonsTable;
  satisfaction_tokens: SatisfactionTokensTable;
}

// A rating is the requester's opinion: erasing them unlinks the rating and redacts what they wrote, keeping
// the score for the account's statistics (as tickets keep their history).
defineTable<SatisfactionRatingsTable>('satisfaction_ratings', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    ticket_id: pd.none(),
    requester_id: pd.subject('pseudonymize'),
    assignee_id: pd.none(),
    group_id: pd.none(),
    score: pd.none(),
    comment: pd.content('redact'),
    reason_code: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<SatisfactionReasonsTable>('satisfaction_reasons', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    reason_code: pd.none(),
    value: pd.none(),
    system: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
    deleted_at: pd.none(),
  },
});

// A rating link belongs to the requester it was mailed to and dies with them.
defineTable<SatisfactionTokensTable>('satisfaction_tokens', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    ticket_id: pd.none(),
    requester_id: pd.subject('delete_row'),
    token_digest: pd.secret(),
    created_at: pd.none(),
    expires_at: pd.none(),
  },
});
