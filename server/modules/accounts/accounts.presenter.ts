import { isoTime } from '../../platform/http/format.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';

export function presentAccount(a: Account, url: (path: string) => string) {
  return {
    id: a.id,
    url: url('/api/v2/account.json'),
    subdomain: a.subdomain,
    name: a.name,
    host_mapping: a.host_mapping,
    region: a.region,
    industry: a.industry,
    time_zone: a.time_zone,
    locale: a.locale,
    brand_color: a.brand_color,
    created_at: isoTime(a.created_at),
    updated_at: isoTime(a.updated_at),
  };
}
