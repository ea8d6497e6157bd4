// Benchmark fixtures shared by the benches: groups, agents and requesters made through the API, and tickets
// seeded in SQL batches (every trigger fires, as for API writes).
import type { PoolClient } from 'pg';
import type { DatabaseHandle } from '../server/platform/db/database.ts';
import type { HavenProcess } from '../test/support/processes.ts';
import { SUBJECT_TEMPLATES, TICKET_TAGS, VOCABULARY } from './lib.ts';

const SEED_WORKERS = 10;
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// Fixtures: a handful of real groups, agents and requesters, made through the API.

export interface Fixtures {
  accountId: number;
  adminId: number;
  groupIds: number[];
  /** Agents (the admin first) and, index for index, the group each works in. */
  agentIds: number[];
  agentGroupIds: number[];
  requesterIds: number[];
}

export async function api(server: HavenProcess, auth: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: {
      authorization: auth,
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Runs `fn` over `items`, `limit` at a time, keeping the order of results. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export async function createFixtures(
  server: HavenProcess,
  auth: string,
  accountId: number,
  adminId: number,
): Promise<Fixtures> {
  const groupNames = ['Support', 'Billing', 'Shipping', 'IT'];
  const groupIds = await inParallel(
    groupNames,
    4,
    async (name) => (await api(server, auth, 'POST', '/api/v2/groups.json', { group: { name } })).group.id,
  );
  const agentIds = [adminId];
  const agentGroupIds = [groupIds[0]!];
  const agents = await inParallel(
    Array.from({ length: 12 }, (_, i) => i),
    SEED_WORKERS,
    async (i) =>
      (
        await api(server, auth, 'POST', '/api/v2/users.json', {
          user: { name: `Agent ${i + 1}`, email: `agent${i + 1}@bench.example.test`, role: 'agent' },
        })
      ).user.id as number,
  );
  agents.forEach((id, i) => {
    agentIds.push(id);
    agentGroupIds.push(groupIds[i % groupIds.length]!);
  });
  await inParallel(agentIds, SEED_WORKERS, (userId, i) =>
    api(server, auth, 'POST', '/api/v2/group_memberships.json', {
      group_membership: { user_id: userId, group_id: agentGroupIds[i] },
    }),
  );
  const requesterIds = await inParallel(
    Array.from({ length: 200 }, (_, i) => i),
    SEED_WORKERS,
    async (i) =>
      (
        await api(server, auth, 'POST', '/api/v2/users.json', {
          user: { name: `Customer ${i + 1}`, email: `customer${i + 1}@bench.example.test` },
        })
      ).user.id as number,
  );
  return { accountId, adminId, groupIds, agentIds, agentGroupIds, requesterIds };
}

// ---------------------------------------------------------------------------------------------------------
// Seeding: tickets and their comments written in SQL, in batches of generated rows (a temp table), through
// ordinary INSERTs: every trigger fires, so the search documents (migration 0006) are computed by the
// database's own code, exactly as for API writes, whatever that code is at the time.
//
// One shortcut, exact for this text: the search triggers pass every text through search_fold(), whose
// translate() over its table of accented letters costs about 0.3 ms per description on PostgreSQL (more on
// the embedded database), most of the seeding time at 100k tickets. Seeded text is plain ASCII, which
// search_fold() returns unchanged (checked first on every vocabulary word and template and on a sample of
// each batch's texts), so within each batch's transaction search_fold() is put behind an ASCII test that
// calls the original for anything else, and restored before the commit: other sessions never see it.
// `--seed-full-fold` skips the shortcut.

const SEED_BATCH = 20_000;

const SEED_BATCH_TABLE = `
create temp table seed_batch (
  id bigint, subject text, description text, status text, priority text, type text, requester_id bigint,
  assignee_id bigint, group_id bigint, tags text[], via_channel text, comment_count int,
  created_at timestamptz, updated_at timestamptz, solved_at timestamptz, deleted boolean,
  reply_body text, reply_public boolean
) on commit drop`;

// Statuses about as a help desk has them: most tickets closed or solved, a quarter open.
//   new 5%, open 20%, pending 10%, hold 3%, solved 22%, closed 40%
// Assigned: every solved/closed ticket, 85% of open/pending/hold ones, no new ones. Unassigned tickets sit
// in a group half of the time. Requesters are skewed (a few customers write a lot). Created over the last
// 90 days; unsolved tickets were updated more recently than solved ones. Text: a subject template plus two
// words, a description of 15–44 words, and for 60% of tickets an answer of 10–29 words (30% of those
// internal notes), words drawn from VOCABULARY the way randomWord() draws them.
const SEED_GENERATE_SQL = `
insert into seed_batch
with s as materialized (
  select g,
    random() as r_status, random() as r_pri, random() as r_type, random() as r_asg, random() as r_agent,
    random() as r_grp, random() as r_req, random() as r_via, random() as r_upd, random() as r_solve,
    random() as r_del, random() as r_tags, random() as r_comments,
    now() - random() * interval '90 days' as created_at,
    15 + floor(random() * 30)::int as nwords
  from generate_series(1, $2::int) g
), t as (
  select s.*,
    case when r_status < 0.05 then 'new' when r_status < 0.25 then 'open' when r_status < 0.35 then 'pending'
         when r_status < 0.38 then 'hold' when r_status < 0.60 then 'solved' else 'closed' end as status,
    1 + floor(r_agent * cardinality($5::bigint[]))::int as agent_idx,
    case when r_tags < 0.25 then 0 when r_tags < 0.6 then 1 when r_tags < 0.9 then 2 else 3 end as ntags
  from s
), u as (
  select t.*,
    case when status = 'new' or (status in ('open', 'pending', 'hold') and r_asg < 0.15) then null
         else ($5::bigint[])[agent_idx] end as assignee_id,
    created_at + (now() - created_at)
      * case when status in ('solved', 'closed') then r_upd else power(r_upd, 0.3) end as updated_at
  from t
)
select $1::bigint + g,
  ($4::text[])[1 + floor(random() * cardinality($4::text[]))::int]
    || ' ' || ($3::text[])[1 + floor(power(random(), 2) * cardinality($3::text[]))::int]
    || ' ' || ($3::text[])[1 + floor(power(random(), 2) * cardinality($3::text[]))::int],
  (select string_agg(($3::text[])[1 + floor(power(random(), 2) * cardinality($3::text[]))::int], ' ')
     from generate_series(1, u.nwords)),
  status,
  case when r_pri < 0.15 then null when r_pri < 0.30 then 'low' when r_pri < 0.80 then 'normal'
       when r_pri < 0.95 then 'high' else 'urgent' end,
  case when r_type < 0.25 then null when r_type < 0.60 then 'question' when r_type < 0.90 then 'incident'
       when r_type < 0.95 then 'problem' else 'task' end,
  ($6::bigint[])[1 + floor(power(r_req, 1.5) * cardinality($6::bigint[]))::int],
  assignee_id,
  case when assignee_id is not null then ($7::bigint[])[agent_idx]
       when r_grp < 0.5 then ($8::bigint[])[1 + floor(r_grp * 2 * cardinality($8::bigint[]))::int] end,
  (select coalesce(array_agg(distinct x order by x), '{}') from unnest(array[
     case when u.ntags >= 1 then ($9::text[])[1 + floor(random() * cardinality($9::text[]))::int] end,
     case when u.ntags >= 2 then ($9::text[])[1 + floor(random() * cardinality($9::text[]))::int] end,
     case when u.ntags >= 3 then ($9::text[])[1 + floor(random() * cardinality($9::text[]))::int] end,
     case when random() < 0.05 then 'vip' end]) x where x is not null),
  case when r_via < 0.5 then 'email' when r_via < 0.8 then 'web' else 'api' end,
  case when r_comments < 0.6 then 2 else 1 end,
  created_at, updated_at,
  case when status in ('solved', 'closed') then updated_at - (updated_at - created_at) * 0.1 * r_solve end,
  r_del < 0.005,
  case when r_comments < 0.6 then
    (select string_agg(($3::text[])[1 + floor(power(random(), 2) * cardinality($3::text[]))::int], ' ')
       from generate_series(1, 10 + u.g % 20)) end,
  random() < 0.7
from u`;

// The first comment is the description, from the requester, public; the answer is from the assignee.
const SEED_COMMENTS_SQL = `
insert into ticket_comments (account_id, ticket_id, author_id, body, html_body, public, via_channel, created_at)
select $1::bigint, ticket_id, author_id, body, '<p>' || body || '</p>', public, via_channel, created_at
from (
  select id as ticket_id, 1 as n, requester_id as author_id, description as body, true as public, via_channel,
    created_at
  from seed_batch
  union all
  select id, 2, coalesce(assignee_id, requester_id), reply_body, reply_public, 'web',
    created_at + (updated_at - created_at) * 0.5
  from seed_batch where comment_count = 2
) c
order by ticket_id, n`;

const SEED_TICKETS_SQL = `
insert into tickets (id, account_id, subject, description, status, priority, type, requester_id, submitter_id,
  assignee_id, group_id, tags, via_channel, comment_count, created_at, updated_at, status_updated_at,
  assigned_at, initially_assigned_at, solved_at, deleted_at, deleted_by_id)
select id, $1::bigint, subject, description, status, priority, type, requester_id, requester_id,
  assignee_id, group_id, tags, via_channel, comment_count, created_at, updated_at, updated_at,
  case when assignee_id is not null then created_at + interval '10 minutes' end,
  case when assignee_id is not null then created_at + interval '10 minutes' end,
  solved_at,
  case when deleted then updated_at end,
  case when deleted then $2::bigint end
from seed_batch
order by id`;

/** search_fold(text), when the schema has it: its full definition and its argument list. */
async function searchFoldDefinition(client: PoolClient) {
  const { rows } = await client.query(
    `select pg_get_functiondef(p.oid) as def, pg_get_function_identity_arguments(p.oid) as args
       from pg_proc p
      where p.proname = 'search_fold' and p.pronamespace = current_schema()::regnamespace
        and p.proargtypes = '25'::oidvector`,
  );
  return rows[0] as { def: string; args: string } | undefined;
}

/** How many of the texts search_fold() changes (0 means the ASCII shortcut gives the same result). */
async function foldChanges(client: PoolClient, texts: string[]): Promise<number> {
  const { rows } = await client.query(
    'select count(*) as n from unnest($1::text[]) t where search_fold(t) is distinct from t',
    [texts],
  );
  return Number(rows[0].n);
}

/**
 * Puts search_fold() behind an ASCII test for the rest of the transaction; returns the statements that
 * restore it. The original stays callable as search_fold_before_seeding() meanwhile.
 */
async function shortcutFold(client: PoolClient, fold: { def: string; args: string }): Promise<string[]> {
  const original = fold.def.replace(/(FUNCTION\s+(?:\S+\.)?)search_fold\(/i, '$1search_fold_before_seeding(');
  await client.query(original);
  await client.query(`
    create or replace function search_fold(${fold.args}) returns text language sql immutable parallel safe
    as $fn$ select case when $1 ~ '[^\\x01-\\x7f]' then search_fold_before_seeding($1) else $1 end $fn$`);
  return [fold.def, `drop function search_fold_before_seeding(${fold.args})`];
}

export interface SeedResult {
  added: number;
  seconds: number;
  tickets: number;
  comments: number;
}

async function countRows(db: DatabaseHandle, accountId: number) {
  const { rows } = await db.pool.query(
    `select (select count(*) from tickets where account_id = $1) as tickets,
            (select count(*) from ticket_comments where account_id = $1) as comments`,
    [accountId],
  );
  return { tickets: Number(rows[0].tickets), comments: Number(rows[0].comments) };
}

/** Adds tickets until the account has `target` (deleted ones included), then VACUUM ANALYZE. */
export async function seedTickets(
  db: DatabaseHandle,
  f: Fixtures,
  target: number,
  kind: string,
  options: { fullFold?: boolean } = {},
): Promise<SeedResult> {
  const started = performance.now();
  let { tickets: have } = await countRows(db, f.accountId);
  const before = have;
  const client = await db.pool.connect();
  try {
    let fold = options.fullFold ? undefined : await searchFoldDefinition(client);
    if (fold && (await foldChanges(client, [...VOCABULARY, ...SUBJECT_TEMPLATES, ...TICKET_TAGS]))) {
      log(`${kind}: search_fold() changes some vocabulary words; seeding with the full fold (slower)`);
      fold = undefined;
    }
    while (have < target) {
      const n = Math.min(SEED_BATCH, target - have);
      const t0 = performance.now();
      // Ticket ids n at a time from the tickets' own identity sequence, so later API inserts carry on after them.
      const { rows } = await client.query(
        `select setval(s::regclass, nextval(s::regclass) + $1::int - 1) - $1::int as before_first
           from pg_get_serial_sequence('tickets', 'id') s`,
        [n],
      );
      const base = Number(rows[0].before_first);
      await client.query('begin');
      try {
        await client.query(SEED_BATCH_TABLE);
        await client.query(SEED_GENERATE_SQL, [
          base,
          n,
          VOCABULARY,
          SUBJECT_TEMPLATES,
          f.agentIds,
          f.requesterIds,
          f.agentGroupIds,
          f.groupIds,
          TICKET_TAGS,
        ]);
        if (fold) {
          const { rows: sample } = await client.query(
            `select array_agg(t) as texts from (
               select unnest(array[subject, description, reply_body]) as t from seed_batch limit 600) s
              where t is not null`,
          );
          if (await foldChanges(client, sample[0].texts ?? [])) {
            log(`${kind}: search_fold() changes some generated text; seeding with the full fold (slower)`);
            fold = undefined;
          }
        }
        const restore = fold ? await shortcutFold(client, fold) : [];
        const t1 = performance.now();
        await client.query(SEED_TICKETS_SQL, [f.accountId, f.adminId]);
        await client.query(SEED_COMMENTS_SQL, [f.accountId]);
        for (const statement of restore) await client.query(statement);
        await client.query('commit');
        have += n;
        log(
          `${kind}: seeded ${have.toLocaleString('en-US')} / ${target.toLocaleString('en-US')} tickets ` +
            `(text ${secs(t1 - t0)}, rows and triggers ${secs(performance.now() - t1)}` +
            `${fold ? ', ASCII fold shortcut' : ''})`,
        );
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    }
  } finally {
    client.release();
  }
  const t3 = performance.now();
  await db.pool.query('vacuum analyze');
  log(`${kind}: vacuum analyze ${secs(performance.now() - t3)}`);
  const counts = await countRows(db, f.accountId);
  return {
    added: counts.tickets - before,
    seconds: (performance.now() - started) / 1000,
    tickets: counts.tickets,
    comments: counts.comments,
  };
}

export const secs = (msecs: number) => `${(msecs / 1000).toFixed(1)} s`;
