import { commandContext, defineRoute, listBody, respond } from '../../platform/http/define-route.ts';
import { isoTime } from '../../platform/http/format.ts';
import { ticketScope } from '../tickets/tickets.policy.ts';
import { visibleTicket } from '../tickets/tickets.queries.ts';
import { rateTicket } from './satisfaction.commands.ts';
import { satisfactionPolicy } from './satisfaction.policy.ts';
import { presentRating, presentReason, type RatingRow } from './satisfaction.presenter.ts';
import {
  countRatings,
  findReason,
  findVisibleRating,
  listRatings,
  listReasons,
} from './satisfaction.queries.ts';
import { idParams, listRatingsQuery, rateTicketBody, ticketRatingParams } from './satisfaction.schema.ts';

const tags = ['Satisfaction ratings'];

export const satisfactionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_ratings',
    auth: 'agent',
    tags,
    summary:
      'List satisfaction ratings of tickets the caller can see (score: offered, received, good, bad, …_with_comment, …_without_comment; start_time/end_time in Unix seconds)',
    query: listRatingsQuery,
    handler: async (ctx) => {
      const { score, start_time: startTime, end_time: endTime } = ctx.query;
      const scope = await ticketScope(ctx.db, ctx.actor);
      const page = await listRatings(ctx.db, scope, { score, startTime, endTime }, ctx.query);
      return respond(
        200,
        listBody(ctx, 'satisfaction_ratings', page, '/api/v2/satisfaction_ratings.json', (r: RatingRow) =>
          presentRating(r, ctx.url),
        ),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_ratings/received',
    auth: 'agent',
    tags,
    summary: 'List the ratings requesters gave (good or bad)',
    query: listRatingsQuery.omit({ score: true }),
    handler: async (ctx) => {
      const { start_time: startTime, end_time: endTime } = ctx.query;
      const scope = await ticketScope(ctx.db, ctx.actor);
      const page = await listRatings(ctx.db, scope, { score: 'received', startTime, endTime }, ctx.query);
      return respond(
        200,
        listBody(
          ctx,
          'satisfaction_ratings',
          page,
          '/api/v2/satisfaction_ratings/received.json',
          (r: RatingRow) => presentRating(r, ctx.url),
        ),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_ratings/count',
    auth: 'agent',
    tags,
    summary: 'How many satisfaction ratings (offered or received) the caller can see',
    handler: async (ctx) => {
      const value = await countRatings(ctx.db, await ticketScope(ctx.db, ctx.actor));
      return respond(200, { count: { value, refreshed_at: isoTime(new Date()) } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_ratings/:id',
    auth: 'agent',
    tags,
    summary: 'Show a satisfaction rating',
    params: idParams,
    handler: async (ctx) => {
      const scope = await ticketScope(ctx.db, ctx.actor);
      const rating = await findVisibleRating(ctx.db, scope, ctx.params.id);
      return respond(200, { satisfaction_rating: presentRating(rating, ctx.url) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/tickets/:ticket_id/satisfaction_rating',
    auth: 'end_user',
    tags,
    summary:
      "Rate a solved or closed ticket whose rating was offered (the ticket's requester only); rating again changes it",
    params: ticketRatingParams,
    body: rateTicketBody,
    handler: async (ctx) => {
      const { ticket } = await visibleTicket(ctx.db, ctx.actor, ctx.params.ticket_id);
      satisfactionPolicy.assertCanRate(ctx.actor, ticket);
      const rating = await rateTicket(
        commandContext(ctx),
        ticket.id,
        ctx.actor.userId,
        ctx.body.satisfaction_rating,
        'api',
      );
      return respond(200, { satisfaction_rating: presentRating(rating, ctx.url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_reasons',
    auth: 'agent',
    tags,
    summary: 'The reasons a requester can give for a bad rating',
    handler: async (ctx) => {
      const reasons = await listReasons(ctx.db);
      return respond(200, {
        reasons: reasons.map((r) => presentReason(r, ctx.url)),
        next_page: null,
        previous_page: null,
        count: reasons.length,
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/satisfaction_reasons/:id',
    auth: 'agent',
    tags,
    summary: 'Show a satisfaction reason',
    params: idParams,
    handler: async (ctx) => {
      const reason = await findReason(ctx.db, ctx.params.id);
      return respond(200, { reason: presentReason(reason, ctx.url) });
    },
  }),
];
