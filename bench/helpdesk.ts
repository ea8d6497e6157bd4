// The help desk core's figures, on the embedded database and on PostgreSQL: ticket creation through the
// API, search and view execution over 10k and 100k seeded tickets (and 1M on PostgreSQL with --million).
// Prints tables and writes tmp/bench/helpdesk-<db>.json. See bench/README.md.
//
//   npm run bench:helpdesk                              # both databases, 10k and 100k tickets
//   npm run bench:helpdesk -- --db postgres --million   # PostgreSQL, 10k, 100k and 1M
//   npm run bench:helpdesk -- --sections create         # only ticket creation (e.g. to profile it)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { PoolClient } from 'pg';
import type { DatabaseHandle } from '../server/platform/db/database.ts';
import type { HavenProcess } from '../test/support/processes.ts';
import {
  ADMIN_EMAIL,
  basicAuth,
  type CpuShare,
  cpuShare,
  cpuSnapshot,
  formatTable,
  newEmbeddedStore,
  newPostgresStore,
  openStoreDatabase,
  PG_ADMIN_URL,
  postgresReachable,
  ROOT,
  removeStore,
  runLoad,
  type Store,
  SUBJECT_TEMPLATES,
  samplePostgresDatabase,
  setupBenchAccountInfo,
  startServer,
  startSqlTrace,
  TICKET_TAGS,
  type TracedStatement,
  VOCABULARY,
} from './lib.ts';
import type { CreateTicketsSummary, WorkersSummary } from './load.ts';

type DbKind = 'embedded' | 'postgres';
type Section = 'create' | 'search' | 'views' | 'trace';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'all' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
    warmup: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '10000,100000' },
    million: { type: 'boolean', default: false },
    sections: { type: 'string', default: 'create,search,views,trace' },
    'seed-full-fold': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const WORKERS = 10;
const SIZES = values.sizes
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const SECTIONS = new Set(values.sections.split(',').map((s) => s.trim()) as Section[]);
const kinds: DbKind[] = values.db === 'all' ? ['embedded', 'postgres'] : [values.db as DbKind];
if (!kinds.every((k) => k === 'embedded' || k === 'postgres')) {
  console.error('--db must be embedded, postgres or all');
  process.exit(64);
}
if (![...SECTIONS].every((s) => ['create', 'search', 'views', 'trace'].includes(s))) {
  console.error('--sections is a comma-separated list of create, search, views, trace');
  process.exit(64);
}

/** Typical agent searches: a word or two plus a filter. */
const SEARCH_QUERIES = [
  'status:open printer',
  'status<solved refund invoice',
  'type:ticket "password reset"',
  'tags:vip status:pending',
  'type:ticket priority:urgent account',
];

/** The default views (views.seeds.ts) the bench executes, by title. */
const VIEW_TITLES = [
  'Your unsolved tickets',
  'Unassigned tickets',
  'All unsolved tickets',
  'Recently updated tickets',
  'Pending tickets',
  'Recently solved tickets',
];

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------------------------------------
// Fixtures: a handful of real groups, agents and requesters, made through the API.

interface Fixtures {
  accountId: number;
  adminId: number;
  groupIds: number[];
  /** Agents (the admin first) and, index for index, the group each works in. */
  agentIds: number[];
  agentGroupIds: number[];
  requesterIds: number[];
}

async function api(server: HavenProcess, auth: string, method: string, url: string, body?: unknown) {
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
async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
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

async function createFixtures(
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
    WORKERS,
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
  await inParallel(agentIds, WORKERS, (userId, i) =>
    api(server, auth, 'POST', '/api/v2/group_memberships.json', {
      group_membership: { user_id: userId, group_id: agentGroupIds[i] },
    }),
  );
  const requesterIds = await inParallel(
    Array.from({ length: 200 }, (_, i) => i),
    WORKERS,
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

interface SeedResult {
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
async function seedTickets(
  db: DatabaseHandle,
  f: Fixtures,
  target: number,
  kind: DbKind,
): Promise<SeedResult> {
  const started = performance.now();
  let { tickets: have } = await countRows(db, f.accountId);
  const before = have;
  const client = await db.pool.connect();
  try {
    let fold = values['seed-full-fold'] ? undefined : await searchFoldDefinition(client);
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

const secs = (msecs: number) => `${(msecs / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------------
// Measurements.

type Measured<T> = T & { cpu: CpuShare };

/** What a measured run is sampled against: the server process and, on PostgreSQL, its database's backends. */
interface Target {
  server: HavenProcess;
  database?: string;
}

/** A warm-up run (unless `warmup` is false), then the measured one with CPU accounting. */
async function measure<T extends WorkersSummary>(
  target: Target,
  config: Record<string, unknown>,
  warmup = true,
): Promise<Measured<T>> {
  if (warmup && WARMUP > 0) await runLoad<T>({ ...config, duration: WARMUP });
  const pg = target.database ? samplePostgresDatabase(target.database) : null;
  const a = cpuSnapshot(target.server.pid);
  const run = await runLoad<T>({ ...config, duration: DURATION });
  const b = cpuSnapshot(target.server.pid);
  return { ...run, cpu: cpuShare(a, b, run.clientCpuMs, run.ok + run.failed, pg?.stop()) };
}

interface SizeResult {
  size: number;
  seed: SeedResult;
  search: (Measured<WorkersSummary> & { resultCounts: Record<string, number> }) | null;
  views: (Measured<WorkersSummary> & { rowCounts: Record<string, number> }) | null;
}

/** PostgreSQL's own counters over a creation run, per ticket inserted (pg_stat_* of the scratch database). */
interface TableStats {
  xactPerTicket: number;
  perTicket: Record<string, { inserted: number; updated: number; indexScans: number; seqScans: number }>;
  /** PL/pgSQL functions (triggers) by calls and time per ticket (track_functions = 'pl'; self time in ms). */
  functions: Record<string, { callsPerTicket: number; msPerTicket: number; selfMsPerTicket: number }>;
}

interface TraceResult {
  idleStatementsPerSecond: number;
  variants: Record<
    string,
    {
      tickets: number;
      statementsPerTicket: number;
      /** One ticket's statements, split at the moment its response arrived. */
      sample: { duringRequest: string[]; afterResponse: string[] };
    }
  >;
  /** Each search and view request once: the statements run while it was open, with their parameters. */
  reads: Record<string, { ms: number; statements: { sql: string; params?: (string | null)[] }[] }>;
}

interface DbResult {
  db: DbKind;
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; memGiB: number };
  settings: { durationS: number; warmupS: number; workers: number; sizes: number[]; sections: string[] };
  loadAvgBefore: number[];
  searchAvailable: boolean;
  viewsAvailable: boolean;
  sizes: SizeResult[];
  create: {
    ticketsBefore: number;
    variants: Record<
      string,
      Measured<CreateTicketsSummary> & { counted: number; verified: boolean; pgStats: TableStats | null }
    >;
  } | null;
  trace: TraceResult | null;
}

async function pgTableStats(db: DatabaseHandle) {
  await db.pool.query('select pg_stat_clear_snapshot()');
  const { rows } = await db.pool.query(
    `select relname, n_tup_ins, n_tup_upd, coalesce(idx_scan, 0) as idx_scan, seq_scan
       from pg_stat_user_tables`,
  );
  const { rows: fns } = await db.pool.query(
    'select funcname, calls, total_time, self_time from pg_stat_user_functions',
  );
  const { rows: x } = await db.pool.query(
    'select xact_commit from pg_stat_database where datname = current_database()',
  );
  return {
    xact: Number(x[0].xact_commit),
    tables: new Map(
      rows.map((r: any) => [
        r.relname as string,
        [Number(r.n_tup_ins), Number(r.n_tup_upd), Number(r.idx_scan), Number(r.seq_scan)],
      ]),
    ),
    functions: new Map(
      fns.map((r: any) => [
        r.funcname as string,
        [Number(r.calls), Number(r.total_time), Number(r.self_time)],
      ]),
    ),
  };
}

function tableStatsDelta(
  a: Awaited<ReturnType<typeof pgTableStats>>,
  b: Awaited<ReturnType<typeof pgTableStats>>,
  created: number,
): TableStats {
  const delta = (after: number[], before: number[] | undefined) =>
    after.map((v, i) => v - (before?.[i] ?? 0));
  // Per ticket inserted as PostgreSQL counted them, so that counters a backend had not flushed yet at either
  // end of the run (a warm-up's tail, the last second) skew no ratio; the 201s when tickets are not counted.
  const inserted = delta(b.tables.get('tickets') ?? [0], a.tables.get('tickets'))[0]!;
  const tickets = inserted > 0 ? inserted : created;
  const per = (n: number) => Math.round((100 * n) / Math.max(1, tickets)) / 100;
  const perTicket: TableStats['perTicket'] = {};
  for (const [name, after] of b.tables) {
    const d = delta(after, a.tables.get(name));
    if (d.every((v) => v === 0)) continue;
    perTicket[name] = {
      inserted: per(d[0]!),
      updated: per(d[1]!),
      indexScans: per(d[2]!),
      seqScans: per(d[3]!),
    };
  }
  const functions: TableStats['functions'] = {};
  for (const [name, after] of b.functions) {
    const d = delta(after, a.functions.get(name));
    if (d[0] === 0) continue;
    functions[name] = { callsPerTicket: per(d[0]!), msPerTicket: per(d[1]!), selfMsPerTicket: per(d[2]!) };
  }
  return { xactPerTicket: per(b.xact - a.xact), perTicket, functions };
}

async function ticketCount(server: HavenProcess, auth: string): Promise<number> {
  return (await api(server, auth, 'GET', '/api/v2/tickets/count.json')).count.value;
}

async function measureCreation(
  target: Target,
  auth: string,
  f: Fixtures,
  pgStats: DatabaseHandle | null,
): Promise<NonNullable<DbResult['create']>> {
  const { server } = target;
  const base = { mode: 'create-tickets', base: server.baseUrl, authorization: auth, workers: WORKERS };
  const runId = Date.now().toString(36);
  log(`ticket creation warm-up ${WARMUP} s`);
  await runLoad({ ...base, duration: WARMUP, requesterIds: f.requesterIds, prefix: `w${runId}` });
  const ticketsBefore = await ticketCount(server, auth);
  const variants: NonNullable<DbResult['create']>['variants'] = {};
  for (const [label, extra] of [
    ['requester_id', { requesterIds: f.requesterIds, seed: 1 }],
    ['new requester email', { seed: 2 }],
  ] as const) {
    log(`ticket creation (${label}) ${DURATION} s, ${WORKERS} workers`);
    const before = await ticketCount(server, auth);
    const statsBefore = pgStats ? await pgTableStats(pgStats) : null;
    const run = await measure<CreateTicketsSummary>(
      target,
      { ...base, ...extra, prefix: `${label === 'requester_id' ? 'r' : 'e'}${runId}` },
      false,
    );
    const counted = (await ticketCount(server, auth)) - before;
    let stats: TableStats | null = null;
    if (pgStats && statsBefore) {
      // An idle backend that flushed its statistics less than a second ago holds the rest for 10 s.
      await sleep(11_000);
      stats = tableStatsDelta(statsBefore, await pgTableStats(pgStats), run.created);
    }
    variants[label] = {
      ...run,
      counted,
      verified: counted === run.created && run.failed === 0,
      pgStats: stats,
    };
  }
  return { ticketsBefore, variants };
}

async function firstCount(server: HavenProcess, auth: string, url: string): Promise<number> {
  const body = await api(server, auth, 'GET', url);
  return body.count ?? body.results?.length ?? body.rows?.length ?? -1;
}

const searchRequests = () =>
  SEARCH_QUERIES.map((q) => ({ label: q, path: `/api/v2/search.json?query=${encodeURIComponent(q)}` }));

const viewRequests = (views: { id: number; title: string }[]) =>
  views.map((v) => ({ label: v.title, path: `/api/v2/views/${v.id}/execute.json?per_page=50` }));

async function measureSearch(target: Target, auth: string): Promise<NonNullable<SizeResult['search']>> {
  const requests = searchRequests();
  const { server } = target;
  const resultCounts: Record<string, number> = {};
  for (const r of requests) resultCounts[r.label] = await firstCount(server, auth, r.path);
  log(`search: ${SEARCH_QUERIES.length} queries in turn, ${DURATION} s, ${WORKERS} workers`);
  const run = await measure<WorkersSummary>(target, {
    mode: 'get-rotate',
    base: server.baseUrl,
    authorization: auth,
    workers: WORKERS,
    requests,
  });
  return { ...run, resultCounts };
}

async function measureViews(
  target: Target,
  auth: string,
  views: { id: number; title: string }[],
): Promise<NonNullable<SizeResult['views']>> {
  const requests = viewRequests(views);
  const { server } = target;
  const rowCounts: Record<string, number> = {};
  for (const r of requests) rowCounts[r.label] = await firstCount(server, auth, r.path);
  log(`views: ${views.length} views in turn, ${DURATION} s, ${WORKERS} workers`);
  const run = await measure<WorkersSummary>(target, {
    mode: 'get-rotate',
    base: server.baseUrl,
    authorization: auth,
    workers: WORKERS,
    requests,
  });
  return { ...run, rowCounts };
}

/** Whether GET /api/v2/search answers (the search module may not be installed). */
async function searchAnswers(server: HavenProcess, auth: string): Promise<boolean> {
  const res = await fetch(`${server.baseUrl}/api/v2/search.json?query=printer`, {
    headers: { authorization: auth, accept: 'application/json' },
  });
  await res.arrayBuffer();
  return res.status === 200;
}

/**
 * Statements per created ticket, counted at the wire between a freshly started server and PostgreSQL (see
 * startSqlTrace). Tickets are created one at a time; statements the server runs on its own (job polling,
 * the outbox relay's idle checks) are measured while idle and subtracted. Then each of `reads` once, with
 * the statements it ran and their parameters.
 */
async function traceStatements(
  store: Store,
  auth: string,
  f: Fixtures,
  reads: { label: string; path: string }[],
): Promise<TraceResult> {
  if (store.kind !== 'postgres') throw new Error('only PostgreSQL can be traced');
  const trace = await startSqlTrace(store.database.url);
  const server = await startServer(store, { DATABASE_URL: trace.url });
  try {
    const post = async (body: unknown) => {
      const t0 = performance.now();
      await api(server, auth, 'POST', '/api/v2/tickets.json', body);
      return t0;
    };
    const ticket = (n: number, requester: object) => ({
      ticket: {
        subject: `Traced ticket ${n}`,
        comment: { body: 'The printer prints blank pages since the update.' },
        ...requester,
        priority: 'normal',
        tags: ['bench'],
      },
    });
    // Warm the pool and the server, then measure what it does on its own.
    for (let i = 0; i < 5; i++) await post(ticket(i, { requester_id: f.requesterIds[0] }));
    await sleep(1000);
    trace.clear();
    const idleStart = performance.now();
    await sleep(3000);
    const idleRate = trace.statements().length / ((performance.now() - idleStart) / 1000);
    const variants: TraceResult['variants'] = {};
    const TRACED = 50;
    for (const [label, requester] of [
      ['requester_id', (_: number) => ({ requester_id: f.requesterIds[1] })],
      [
        'new requester email',
        (n: number) => ({ requester: { name: `Traced ${n}`, email: `traced-${n}@bench.example.test` } }),
      ],
    ] as const) {
      // One ticket on its own: what it runs while the request is open, and what follows the response.
      trace.clear();
      const t0 = await post(ticket(0, requester(0)));
      const answered = performance.now();
      await sleep(500);
      const sample = trace.statements().filter((s) => s.at >= t0);
      const short = (s: TracedStatement) => `[c${s.conn}] ${s.sql.replace(/\s+/g, ' ').slice(0, 240)}`;
      trace.clear();
      const started = performance.now();
      for (let n = 1; n <= TRACED; n++) await post(ticket(n, requester(n)));
      await sleep(500);
      const seconds = (performance.now() - started) / 1000;
      const statements = trace.statements().length - idleRate * seconds;
      variants[label] = {
        tickets: TRACED,
        statementsPerTicket: Math.round((10 * statements) / TRACED) / 10,
        sample: {
          duringRequest: sample.filter((s) => s.at <= answered).map(short),
          afterResponse: sample.filter((s) => s.at > answered).map(short),
        },
      };
    }
    const traced: TraceResult['reads'] = {};
    for (const r of reads) {
      await api(server, auth, 'GET', r.path); // warm
      trace.clear();
      const t0 = performance.now();
      await api(server, auth, 'GET', r.path);
      const answered = performance.now();
      traced[r.label] = {
        ms: Math.round((answered - t0) * 10) / 10,
        statements: trace
          .statements()
          .filter((st) => st.at >= t0 && st.at <= answered)
          .map((st) => ({ sql: st.sql.replace(/\s+/g, ' ').trim(), params: st.params })),
      };
    }
    return { idleStatementsPerSecond: Math.round(idleRate * 10) / 10, variants, reads: traced };
  } finally {
    await server.stop().catch(() => {});
    await trace.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

function newStore(kind: DbKind): Promise<Store> {
  return kind === 'embedded' ? Promise.resolve(newEmbeddedStore()) : newPostgresStore();
}

async function benchDb(kind: DbKind): Promise<DbResult> {
  const store = await newStore(kind);
  const database = store.kind === 'postgres' ? store.database.name : undefined;
  let server: HavenProcess | null = null;
  let pgStats: DatabaseHandle | null = null;
  const loadAvgBefore = os.loadavg();
  try {
    if (database) {
      // Time spent in PL/pgSQL functions (the triggers), for the per-ticket figures; set before any session.
      const db = await openStoreDatabase(store);
      await db.pool.query(`alter database ${database} set track_functions = 'pl'`).finally(() => db.close());
    }
    const setup = await setupBenchAccountInfo(store);
    const auth = basicAuth(ADMIN_EMAIL, setup.api_token);
    server = await startServer(store);
    log(`${kind}: server ready in ${server.readyMs.toFixed(0)} ms; creating groups, agents and requesters`);
    const fixtures = await createFixtures(server, auth, setup.account.id, setup.admin.id);

    const listed = (await api(server, auth, 'GET', '/api/v2/views.json?per_page=100')).views as {
      id: number;
      title: string;
    }[];
    const views = VIEW_TITLES.map((t) => listed.find((v) => v.title === t)).filter((v) => v !== undefined);
    const viewsAvailable = views.length > 0;
    const searchAvailable =
      existsSync(path.join(ROOT, 'server/modules/search/search.routes.ts')) &&
      (await searchAnswers(server, auth));
    if (SECTIONS.has('search') && !searchAvailable)
      console.log(`${kind}: GET /api/v2/search does not answer here (no search module); search is skipped.`);
    if (SECTIONS.has('views') && !viewsAvailable)
      console.log(`${kind}: the account has none of the default views; view execution is skipped.`);

    const sizes: SizeResult[] = [];
    const wantsReads =
      (SECTIONS.has('search') && searchAvailable) || (SECTIONS.has('views') && viewsAvailable);
    const sizeList = wantsReads
      ? [...SIZES, ...(values.million && kind === 'postgres' ? [1_000_000] : [])]
      : [];
    if (values.million && kind === 'embedded' && wantsReads)
      console.log('embedded: 1M tickets is for PostgreSQL only; skipped.');
    for (const size of sizeList) {
      log(`${kind}: seeding up to ${size.toLocaleString('en-US')} tickets`);
      let seed: SeedResult;
      if (kind === 'embedded') {
        // PGlite runs inside the server: stop it, write the data dir directly, start it again.
        await server.stop();
        server = null;
        const db = await openStoreDatabase(store);
        try {
          seed = await seedTickets(db, fixtures, size, kind);
        } finally {
          await db.close();
        }
        server = await startServer(store);
      } else {
        const db = await openStoreDatabase(store);
        try {
          seed = await seedTickets(db, fixtures, size, kind);
        } finally {
          await db.close();
        }
      }
      log(`${kind}: ${seed.tickets.toLocaleString('en-US')} tickets, seeded in ${seed.seconds.toFixed(1)} s`);
      const target = { server: server!, database };
      sizes.push({
        size,
        seed,
        search: SECTIONS.has('search') && searchAvailable ? await measureSearch(target, auth) : null,
        views: SECTIONS.has('views') && viewsAvailable ? await measureViews(target, auth, views) : null,
      });
    }

    let create: DbResult['create'] = null;
    if (SECTIONS.has('create')) {
      if (kind === 'postgres') pgStats = await openStoreDatabase(store);
      create = await measureCreation({ server: server!, database }, auth, fixtures, pgStats);
    }
    let trace: TraceResult | null = null;
    if (SECTIONS.has('trace') && kind === 'postgres') {
      await server!.stop();
      server = null;
      log(`${kind}: counting statements per created ticket and per read through a wire trace`);
      trace = await traceStatements(store, auth, fixtures, [
        ...(searchAvailable ? searchRequests() : []),
        ...(viewsAvailable ? viewRequests(views) : []),
      ]);
    }
    return {
      db: kind,
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
      },
      settings: {
        durationS: DURATION,
        warmupS: WARMUP,
        workers: WORKERS,
        sizes: sizeList,
        sections: [...SECTIONS],
      },
      loadAvgBefore,
      searchAvailable,
      viewsAvailable,
      sizes,
      create,
      trace,
    };
  } finally {
    if (pgStats) await pgStats.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (values.keep)
      console.log(
        `${kind}: kept the store: ${store.kind === 'embedded' ? `HAVEN_DATA_DIR=${store.dataDir}` : `DATABASE_URL=${store.database.url}`}`,
      );
    else await removeStore(store).catch((err) => log(`could not remove ${JSON.stringify(store)}: ${err}`));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Output.

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => fmt(n, 1);
const shares = (c: CpuShare) =>
  [c.serverPct, c.clientPct, c.postgresPct, c.otherPct, c.idlePct].map((x) => fmt(x)).join('/');
const size = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/** Server (and, on PostgreSQL, this database's backends) CPU per request, and the machine's CPU shares. */
function cpuRows(r: DbResult, cpus: CpuShare[]): string[][] {
  return [
    ['  server CPU per request (ms)', ...cpus.map((c) => fmt(c.serverCpuMsPerRequest, 2))],
    ...(r.db === 'postgres'
      ? [
          [
            '  postgres CPU per request (ms, this database)',
            ...cpus.map((c) => fmt(c.postgresDbCpuMsPerRequest ?? 0, 2)),
          ],
        ]
      : []),
    ['  CPU server/client/postgres/other/idle %', ...cpus.map(shares)],
  ];
}

function printResult(r: DbResult): void {
  console.log();
  console.log(
    `=== Haven help desk benchmark, ${r.db}: ${r.machine.cpus} cores, Node ${r.machine.node}, ` +
      `${r.settings.workers} workers, ${r.settings.durationS} s runs, load average before ${r.loadAvgBefore.map((x) => x.toFixed(1)).join(' ')}`,
  );
  if (r.create) {
    const vs = Object.entries(r.create.variants);
    const rows: string[][] = [
      [
        `POST /api/v2/tickets (${fmt(r.create.ticketsBefore)} tickets in the account)`,
        ...vs.map(([label]) => label),
      ],
      ['tickets/s', ...vs.map(([, v]) => fmt(v.requestsPerSec))],
      ['latency p50 / p99 (ms)', ...vs.map(([, v]) => `${ms(v.p50)} / ${ms(v.p99)}`)],
      ['201s / failures', ...vs.map(([, v]) => `${v.created} / ${v.failed}`)],
      ['tickets counted after − before', ...vs.map(([, v]) => `${v.counted} ${v.verified ? '✓' : '✗'}`)],
      ['server CPU per ticket (ms)', ...vs.map(([, v]) => fmt(v.cpu.serverCpuMsPerRequest, 2))],
      ...(r.db === 'postgres'
        ? [
            [
              'postgres CPU per ticket (ms, this database)',
              ...vs.map(([, v]) => fmt(v.cpu.postgresDbCpuMsPerRequest ?? 0, 2)),
            ],
          ]
        : []),
      ['CPU server/client/postgres/other/idle %', ...vs.map(([, v]) => shares(v.cpu))],
    ];
    if (r.trace)
      rows.push([
        'SQL statements per ticket (wire trace)',
        ...vs.map(([label]) => fmt(r.trace!.variants[label]?.statementsPerTicket ?? 0, 1)),
      ]);
    console.log();
    console.log(formatTable(rows));
    for (const [label, v] of vs) {
      const t = v.pgStats;
      if (!t) continue;
      console.log(
        `  per ticket (${label}, pg_stat): ${fmt(t.xactPerTicket, 2)} transactions; rows ` +
          Object.entries(t.perTicket)
            .filter(([, x]) => x.inserted || x.updated)
            .map(([name, x]) => `${name} +${fmt(x.inserted, 2)}${x.updated ? ` ~${fmt(x.updated, 2)}` : ''}`)
            .join(', ') +
          ' (+inserted ~updated)' +
          (Object.keys(t.functions).length
            ? `; triggers ${Object.entries(t.functions)
                .map(([name, x]) => `${name} ${fmt(x.callsPerTicket, 2)}× ${fmt(x.msPerTicket, 2)} ms`)
                .join(', ')}`
            : ''),
      );
    }
  }
  if (r.sizes.length) {
    const rows: string[][] = [['tickets', ...r.sizes.map((s) => size(s.size))]];
    rows.push(['seeded in (s)', ...r.sizes.map((s) => fmt(s.seed.seconds, 1))]);
    rows.push([
      'tickets / comments',
      ...r.sizes.map((s) => `${fmt(s.seed.tickets)} / ${fmt(s.seed.comments)}`),
    ]);
    const search = r.sizes[0]!.search;
    if (search) {
      rows.push(['GET search (queries in turn) req/s', ...r.sizes.map((s) => fmt(s.search!.requestsPerSec))]);
      rows.push([
        '  p50 / p95 / p99 (ms)',
        ...r.sizes.map((s) => `${ms(s.search!.p50)} / ${ms(s.search!.p95)} / ${ms(s.search!.p99)}`),
      ]);
      rows.push(['  failures', ...r.sizes.map((s) => String(s.search!.failed))]);
      rows.push(
        ...cpuRows(
          r,
          r.sizes.map((s) => s.search!.cpu),
        ),
      );
      for (const q of SEARCH_QUERIES) {
        rows.push([
          `  ${q}: p50 / p95 / p99 (count)`,
          ...r.sizes.map((s) => {
            const l = s.search!.byLabel[q];
            return l
              ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} (${fmt(s.search!.resultCounts[q] ?? 0)})`
              : '-';
          }),
        ]);
      }
    }
    const views = r.sizes[0]!.views;
    if (views) {
      rows.push([
        'GET view execute, 50 rows (views in turn) req/s',
        ...r.sizes.map((s) => fmt(s.views!.requestsPerSec)),
      ]);
      rows.push([
        '  p50 / p95 / p99 (ms)',
        ...r.sizes.map((s) => `${ms(s.views!.p50)} / ${ms(s.views!.p95)} / ${ms(s.views!.p99)}`),
      ]);
      rows.push(['  failures', ...r.sizes.map((s) => String(s.views!.failed))]);
      rows.push(
        ...cpuRows(
          r,
          r.sizes.map((s) => s.views!.cpu),
        ),
      );
      for (const title of Object.keys(views.rowCounts)) {
        rows.push([
          `  ${title}: p50 / p99 (count)`,
          ...r.sizes.map((s) => {
            const l = s.views!.byLabel[title];
            return l ? `${ms(l.p50)} / ${ms(l.p99)} (${fmt(s.views!.rowCounts[title] ?? 0)})` : '-';
          }),
        ]);
      }
    }
    console.log();
    console.log(formatTable(rows));
  }
  if (r.trace) {
    console.log();
    console.log(
      `SQL per created ticket (wire trace, ${r.trace.idleStatementsPerSecond} statements/s while idle subtracted):`,
    );
    for (const [label, v] of Object.entries(r.trace.variants)) {
      console.log(
        `  ${label}: ${v.statementsPerTicket} statements per ticket; one ticket ran ${v.sample.duringRequest.length} ` +
          `before its response and ${v.sample.afterResponse.length} after it (listed in the JSON)`,
      );
    }
    const reads = Object.entries(r.trace.reads);
    if (reads.length)
      console.log(
        `  one request each, statements (ms through the trace): ${reads
          .map(([label, x]) => `${label} ${x.statements.length} (${fmt(x.ms)})`)
          .join('; ')}`,
      );
  }
}

const results: DbResult[] = [];
let failed = false;
for (const kind of kinds) {
  if (kind === 'postgres') {
    const reason = await postgresReachable();
    if (reason) {
      console.log(
        `PostgreSQL at ${PG_ADMIN_URL} is not reachable (${reason}); skipping the PostgreSQL runs.`,
      );
      continue;
    }
  }
  log(`=== ${kind} ===`);
  const result = await benchDb(kind);
  results.push(result);
  const out = path.join(ROOT, 'tmp', 'bench', `helpdesk-${kind}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, out)}`);
  for (const [label, v] of Object.entries(result.create?.variants ?? {})) {
    if (!v.verified) {
      console.error(
        `${kind}: ticket creation (${label}): ${v.created} 201s, ${v.failed} failures, ${v.counted} tickets counted ` +
          `(first failure: ${v.firstFailure})`,
      );
      failed = true;
    }
  }
  for (const s of result.sizes) {
    for (const [what, run] of [
      ['search', s.search],
      ['views', s.views],
    ] as const) {
      if (run?.failed) {
        console.error(
          `${kind} at ${size(s.size)}: ${what} had ${run.failed} failures (first: ${run.firstFailure})`,
        );
        failed = true;
      }
    }
  }
}
for (const r of results) printResult(r);
if (results.length)
  console.log(
    '\nCPU shares are of all cores during the measured run; "other" is everything else on the machine. A high\n' +
      '"other" means the figures were taken on a busy machine; server CPU per request is the steadier measure.',
  );
process.exitCode = failed ? 1 : 0;
