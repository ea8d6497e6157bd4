import { type Kysely, sql } from 'kysely';

// Webhooks (Zendesk's shape: string ids, ULIDs), the invocations triggers and automations ask for, and each
// delivery attempt. Credentials and the signing secret are stored in clear because Haven must send them; the
// API never returns them. An invocation carries the rendered body (it may hold ticket text), so invocations and
// their attempts are deleted a week after they were made (webhooks.jobs.ts), and with their ticket.
// `next_attempt_at` is when an unfinished invocation is due; the sweeper re-queues any whose job was lost.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
create table webhooks (
  account_id bigint not null references accounts (id) on delete cascade,
  id text not null,
  name text not null,
  description text,
  status text not null default 'active' check (status in ('active', 'inactive')),
  endpoint text not null,
  http_method text not null check (http_method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
  request_format text not null default 'json' check (request_format in ('json', 'xml', 'form_encoded')),
  subscriptions text[] not null default '{conditional_ticket_events}',
  auth_type text check (auth_type in ('basic_auth', 'bearer_token', 'api_key')),
  auth_name text,
  auth_secret text,
  custom_headers jsonb not null default '{}',
  signing_secret text not null,
  consecutive_failures integer not null default 0,
  failing_since timestamptz,
  deactivated_at timestamptz,
  deactivation_reason text,
  created_by_id bigint,
  updated_by_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (account_id, id),
  foreign key (account_id, created_by_id) references users (account_id, id) on delete set null (created_by_id),
  foreign key (account_id, updated_by_id) references users (account_id, id) on delete set null (updated_by_id)
);

create table webhook_invocations (
  account_id bigint not null references accounts (id) on delete cascade,
  id text not null,
  webhook_id text not null,
  source_type text not null,
  source_id bigint,
  source_title text,
  ticket_id bigint,
  payload text not null,
  status text not null default 'pending' check (status in ('pending', 'retrying', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (account_id, id),
  foreign key (account_id, webhook_id) references webhooks (account_id, id) on delete cascade,
  foreign key (account_id, ticket_id) references tickets (account_id, id) on delete cascade
);
create index webhook_invocations_webhook on webhook_invocations (account_id, webhook_id, id);
create index webhook_invocations_ticket on webhook_invocations (account_id, ticket_id) where ticket_id is not null;
create index webhook_invocations_due on webhook_invocations (next_attempt_at) where status in ('pending', 'retrying');
create index webhook_invocations_created on webhook_invocations (created_at);

create table webhook_attempts (
  account_id bigint not null references accounts (id) on delete cascade,
  id text not null,
  invocation_id text not null,
  attempt integer not null,
  status text not null check (status in ('success', 'failed')),
  status_code integer,
  error text,
  duration_ms integer not null,
  response_body text,
  created_at timestamptz not null default now(),
  primary key (account_id, id),
  unique (account_id, invocation_id, attempt),
  foreign key (account_id, invocation_id) references webhook_invocations (account_id, id) on delete cascade
);
`)
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw('drop table webhook_attempts; drop table webhook_invocations; drop table webhooks')
    .execute(db);
}
