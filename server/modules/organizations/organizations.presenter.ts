import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { OrganizationsTable } from './organizations.tables.ts';

export type OrganizationRow = Selectable<OrganizationsTable>;

/** An organization in Zendesk API v2 shape. */
export function presentOrganization(o: OrganizationRow, url: (path: string) => string) {
  return {
    id: o.id,
    url: url(`/api/v2/organizations/${o.id}.json`),
    name: o.name,
    shared_tickets: o.shared_tickets,
    shared_comments: o.shared_comments,
    external_id: o.external_id,
    created_at: isoTime(o.created_at),
    updated_at: isoTime(o.updated_at),
    domain_names: o.domain_names,
    details: o.details,
    notes: o.notes,
    group_id: o.group_id,
    tags: o.tags,
    organization_fields: o.organization_fields,
  };
}
