import { z } from 'zod';
import { paginationQuery } from '../../platform/http/pagination.ts';
import { SEARCH_KINDS } from './search.parser.ts';

/** The query text: required, but checked by the handler so a missing one gets the search error body. */
const queryText = z.string().max(2000, 'is longer than 2,000 characters').optional();

export const SORT_FIELDS = ['updated_at', 'created_at', 'priority', 'status', 'ticket_type'] as const;

export const searchQuery = paginationQuery.extend({
  query: queryText,
  sort_by: z.enum(SORT_FIELDS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

export const countQuery = z.object({ query: queryText });

export const exportQuery = paginationQuery.extend({
  query: queryText,
  'filter[type]': z.enum(SEARCH_KINDS).optional(),
});
