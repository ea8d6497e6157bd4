import { z } from 'zod';
import { idParams, recordId } from '../../platform/http/fields.ts';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { RATING_SCORE_FILTERS } from './satisfaction.queries.ts';

export { idParams };

/** Longest comment a rating keeps. */
export const RATING_COMMENT_MAX = 10_000;

export const listRatingsQuery = paginationQuery.extend({
  score: z.enum(RATING_SCORE_FILTERS).optional(),
  start_time: z.coerce.number().int().min(0).optional(),
  end_time: z.coerce.number().int().min(0).optional(),
});

export const ticketRatingParams = z.object({ ticket_id: recordId });

/** Zendesk's create body; any score but good or bad is a 422, as at Zendesk. */
export const rateTicketBody = z.object({
  satisfaction_rating: z.object({
    score: z.enum(['good', 'bad']),
    comment: z.string().max(RATING_COMMENT_MAX).nullable().optional(),
    reason_code: z.number().int().min(0).nullable().optional(),
  }),
});
export type RatingInput = z.infer<typeof rateTicketBody>['satisfaction_rating'];

export const ratingPageParams = z.object({ token: z.string().max(200) });
export const ratingPageQuery = z.object({
  score: z.string().max(10).optional(),
  saved: z.string().max(1).optional(),
});
/** Lenient on purpose: the page, not a JSON error, tells the person what to fix. */
export const ratingPageForm = z.object({
  score: z.string().max(10).optional(),
  comment: z.string().max(100_000).default(''),
  reason_code: z.string().max(12).optional(),
  authenticity_token: z.string().max(200).optional(),
});
