import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

export interface ApiTokensTable {
  account_id: number;
  id: Generated<number>;
  token_digest: string;
  token_hint: string;
  description: Generated<string>;
  created_by_id: number | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
}

export interface OauthTokensTable {
  account_id: number;
  id: Generated<number>;
  user_id: number;
  token_digest: string;
  token_hint: string;
  scopes: Generated<string[]>;
  created_by_id: number | null;
  expires_at: Date | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
}

export interface SessionsTable {
  account_id: number;
  id: Generated<number>;
  user_id: number;
  token_digest: string;
  csrf_token: string;
  ip_address: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
}

export interface InvitationsTable {
  account_id: number;
  id: Generated<number>;
  user_id: number;
  identity_id: number;
  token_digest: string | null;
  by_email: boolean;
  created_by_id: number | null;
  expires_at: Date;
  sent_at: Date | null;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface SignInThrottlesTable {
  account_id: number;
  email_digest: string;
  failures: Generated<number>;
  first_failed_at: Generated<Date>;
  locked_until: Date | null;
}

defineTable<ApiTokensTable>('api_tokens', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    token_digest: pd.secret('retain:account credential, not about a person'),
    token_hint: pd.none(),
    description: pd.none(),
    created_by_id: pd.identifier('nullify'),
    created_at: pd.none(),
    last_used_at: pd.none(),
  },
});

defineTable<OauthTokensTable>('oauth_tokens', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    user_id: pd.subject('delete_row'),
    token_digest: pd.secret(),
    token_hint: pd.none(),
    scopes: pd.none(),
    created_by_id: pd.identifier('nullify'),
    expires_at: pd.none(),
    created_at: pd.none(),
    last_used_at: pd.technical('delete_row'),
  },
});

defineTable<SessionsTable>('sessions', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    user_id: pd.subject('delete_row'),
    token_digest: pd.secret(),
    csrf_token: pd.secret(),
    ip_address: pd.technical('delete_row'),
    user_agent: pd.technical('delete_row'),
    created_at: pd.technical('delete_row'),
    last_seen_at: pd.technical('delete_row'),
    expires_at: pd.none(),
  },
});

defineTable<InvitationsTable>('invitations', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    user_id: pd.subject('delete_row'),
    identity_id: pd.identifier('delete_row'),
    token_digest: pd.secret(),
    by_email: pd.none(),
    created_by_id: pd.identifier('nullify'),
    expires_at: pd.none(),
    sent_at: pd.technical('delete_row'),
    used_at: pd.technical('delete_row'),
    revoked_at: pd.none(),
    created_at: pd.none(),
  },
});

// Keyed by a keyed digest of the email tried, so lockouts work for unknown emails without storing them.
defineTable<SignInThrottlesTable>('sign_in_throttles', {
  columns: {
    account_id: pd.none(),
    email_digest: pd.identifier('delete_row'),
    failures: pd.none(),
    first_failed_at: pd.technical('delete_row'),
    locked_until: pd.none(),
  },
});

export interface AccessTables {
  api_tokens: ApiTokensTable;
  oauth_tokens: OauthTokensTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  sign_in_throttles: SignInThrottlesTable;
}
