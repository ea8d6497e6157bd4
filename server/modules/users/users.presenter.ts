import { isoTime } from '../../platform/http/format.ts';
import type { IdentityRow, UserRow } from './users.queries.ts';

type UrlFor = (path: string) => string;

/** A user in Zendesk API v2 shape. An allowlist: the password hash and anything unlisted never leave. */
export function presentUser(u: UserRow, url: UrlFor) {
  return {
    id: u.id,
    url: url(`/api/v2/users/${u.id}.json`),
    name: u.name,
    email: u.email,
    created_at: isoTime(u.created_at),
    updated_at: isoTime(u.updated_at),
    time_zone: u.time_zone,
    iana_time_zone: u.time_zone,
    phone: u.phone,
    shared_phone_number: null,
    photo: null,
    locale: u.locale,
    organization_id: u.organization_id,
    role: u.role,
    role_type: null,
    custom_role_id: null,
    verified: u.verified,
    external_id: u.external_id,
    tags: u.tags,
    alias: u.alias,
    active: u.active,
    shared: false,
    shared_agent: false,
    last_login_at: isoTime(u.last_login_at),
    two_factor_auth_enabled: false,
    signature: u.signature,
    details: u.details,
    notes: u.notes,
    default_group_id: u.default_group_id,
    moderator: u.moderator,
    ticket_restriction: u.ticket_restriction,
    only_private_comments: u.only_private_comments,
    restricted_agent: u.restricted_agent,
    suspended: u.suspended,
    report_csv: u.role === 'admin',
    user_fields: u.user_fields,
  };
}

/** What an end-user may see of another person (themselves excepted): no internal notes or details. */
export function presentUserForEndUser(u: UserRow, url: UrlFor) {
  const full = presentUser(u, url);
  return { ...full, details: null, notes: null, tags: [], user_fields: {}, external_id: null };
}

export function presentIdentity(i: IdentityRow, url: UrlFor) {
  return {
    id: i.id,
    url: url(`/api/v2/users/${i.user_id}/identities/${i.id}.json`),
    user_id: i.user_id,
    type: i.type,
    value: i.value,
    verified: i.verified,
    primary: i.primary,
    created_at: isoTime(i.created_at),
    updated_at: isoTime(i.updated_at),
  };
}
