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
  samplePostgresDatabase,
  setupBenchAccountInfo,
  startServer,
  startSqlTrace,
  type TracedStatement,
} from './lib.ts';
import type { CreateTicketsSummary, WorkersSummary } from './load.ts';
import { api, createFixtures, type Fixtures, type SeedResult, seedTickets } from './seed.ts';

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
          seed = await seedTickets(db, fixtures, size, kind, { fullFold: values['seed-full-fold'] });
        } finally {
          await db.close();
        }
        server = await startServer(store);
      } else {
        const db = await openStoreDatabase(store);
        try {
          seed = await seedTickets(db, fixtures, size, kind, { fullFold: values['seed-full-fold'] });
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
