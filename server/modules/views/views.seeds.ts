import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { normalizeExecution } from './views.columns.ts';
import { normalizeConditions } from './views.conditions.ts';
import type { StoredCondition } from './views.tables.ts';

const unsolved: StoredCondition = { field: 'status', operator: 'less_than', value: 'solved' };

/**
 * The default views, as a new Zendesk account has them. Each sorts the way an index of migration 0005
 * serves it: unsolved tickets by last update (tickets_unsolved_updated, tickets_unsolved_assignee),
 * recently solved by solve time (tickets_solved_at).
 */
const DEFAULT_VIEWS: {
  title: string;
  all: StoredCondition[];
  columns: string[];
  sort_by: string;
}[] = [
  {
    title: 'Your unsolved tickets',
    all: [unsolved, { field: 'assignee_id', operator: 'is', value: 'current_user' }],
    columns: ['subject', 'requester', 'created', 'updated', 'status', 'priority'],
    sort_by: 'updated',
  },
  {
    title: 'Unassigned tickets',
    all: [unsolved, { field: 'assignee_id', operator: 'is', value: null }],
    columns: ['subject', 'requester', 'created', 'updated', 'group', 'priority'],
    sort_by: 'updated',
  },
  {
    title: 'All unsolved tickets',
    all: [unsolved],
    columns: ['subject', 'requester', 'created', 'updated', 'status', 'priority', 'assignee', 'group'],
    sort_by: 'updated',
  },
  {
    title: 'Recently updated tickets',
    all: [{ field: 'updated_at', operator: 'less_than', value: '24' }],
    columns: ['subject', 'requester', 'updated', 'status', 'assignee'],
    sort_by: 'updated',
  },
  {
    title: 'Pending tickets',
    all: [{ field: 'status', operator: 'is', value: 'pending' }],
    columns: ['subject', 'requester', 'created', 'updated', 'assignee'],
    sort_by: 'updated',
  },
  {
    title: 'Recently solved tickets',
    all: [
      { field: 'status', operator: 'greater_than', value: 'hold' },
      { field: 'solved_at', operator: 'less_than', value: '168' },
    ],
    columns: ['subject', 'requester', 'solved', 'assignee'],
    sort_by: 'solved',
  },
];

/** The default views every account starts with (shared with all agents, marked `default`). */
export async function seedDefaultViews(db: TenantDb, _adminId: number): Promise<void> {
  await db
    .insertInto(
      'views',
      DEFAULT_VIEWS.map((v, position) => ({
        title: v.title,
        description: null,
        active: true,
        position,
        default: true,
        owner_user_id: null,
        restriction_group_ids: null,
        conditions: normalizeConditions({ all: v.all, any: [] }),
        execution: normalizeExecution({ columns: v.columns, sort_by: v.sort_by, sort_order: 'desc' }),
      })),
    )
    .execute();
}
