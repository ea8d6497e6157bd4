import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { SupportAddressesTable } from './email.tables.ts';

export type AddressRow = Selectable<SupportAddressesTable>;

/**
 * A support address in Zendesk's recipient_address shape (SPF and CNAME checks are not made: `unknown`), plus
 * `built_in`: the account's own `support@{subdomain}.{base domain}`, which cannot be deleted.
 */
export function presentAddress(a: AddressRow, url: (path: string) => string, builtIn: string) {
  return {
    url: url(`/api/v2/recipient_addresses/${a.id}.json`),
    id: a.id,
    brand_id: null,
    default: a.is_default,
    email: a.email,
    name: a.name,
    built_in: a.email.toLowerCase() === builtIn,
    forwarding_status: a.verified_at ? 'verified' : a.verification_sent_at ? 'waiting' : 'unknown',
    spf_status: 'unknown',
    cname_status: 'unknown',
    created_at: isoTime(a.created_at),
    updated_at: isoTime(a.updated_at),
  };
}
