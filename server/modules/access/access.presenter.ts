import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { ApiTokensTable, InvitationsTable, OauthTokensTable } from './access.tables.ts';

export function presentApiToken(
  t: Selectable<ApiTokensTable>,
  url: (path: string) => string,
  token?: string,
) {
  return {
    id: t.id,
    url: url(`/api/v2/api_tokens/${t.id}.json`),
    description: t.description,
    token_hint: t.token_hint,
    created_by_id: t.created_by_id,
    created_at: isoTime(t.created_at),
    last_used_at: isoTime(t.last_used_at),
    // Present only in the response that created it.
    ...(token ? { token } : {}),
  };
}

export function presentOauthToken(
  t: Selectable<OauthTokensTable>,
  url: (path: string) => string,
  token?: string,
) {
  return {
    id: t.id,
    url: url(`/api/v2/oauth/tokens/${t.id}.json`),
    user_id: t.user_id,
    token: `…${t.token_hint}`,
    scopes: t.scopes,
    expires_at: isoTime(t.expires_at),
    created_at: isoTime(t.created_at),
    used_at: isoTime(t.last_used_at),
    ...(token ? { full_token: token } : {}),
  };
}

/**
 * An invitation. `delivered` says Haven emails the link (`url` is then null); otherwise `url` is the link,
 * present only in the response that created it, for the admin to hand over.
 */
export function presentInvitation(
  i: Selectable<InvitationsTable>,
  email: string | null,
  url: string | null,
  now = new Date(),
) {
  const status = i.used_at ? 'used' : i.revoked_at ? 'replaced' : i.expires_at <= now ? 'expired' : 'pending';
  return {
    id: i.id,
    user_id: i.user_id,
    email,
    delivered: i.by_email,
    url,
    status,
    created_by_id: i.created_by_id,
    created_at: isoTime(i.created_at),
    expires_at: isoTime(i.expires_at),
    sent_at: isoTime(i.sent_at),
    used_at: isoTime(i.used_at),
  };
}
