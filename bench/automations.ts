// The automations pass over 100,000 tickets on PostgreSQL (issue 5: a pass in ≤ 10 s). Prints a table and writes
// tmp/bench/automations.json. See docs/automations.md.
//
//   npx tsx bench/automations.ts
//   npx tsx bench/automations.ts --size 20000           # a smaller account
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/automations.ts
//
// One account, seeded like the help desk bench (bench/seed.ts: 22% solved, 10% pending, 40% closed …), with
// Zendesk's default automations (the two pending reminders turned on as well). Three passes, each the function
// the hourly job runs (automations.run.ts), in this process, on a pool of 10 connections as a worker has:
//
//   1. hourly: the account as an hourly schedule leaves it. Solved tickets were solved within the last 97 hours
//      (older ones would have been closed), the rating was already asked for on those solved more than 25 hours
//      ago, pending tickets went pending within the last 10 days. So the pass finds what came due in the last
//      hour: ~1% of solved tickets to close, ~1% to ask for a rating, the pending tickets whose 24th or 120th
//      hour it is.
//   2. backlog: 10% of the tickets solved more than 4 days ago and never asked for a rating (an import, or
//      automations switched on late). The pass acts on at most 1,000 tickets per automation (Zendesk's cap).
//   3. backlog, uncapped: the rest of that backlog in one pass, for the write rate.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAutomations } from '../server/modules/automations/automations.run.ts';
import { seedDefaultAutomations } from '../server/modules/automations/automations.seeds.ts';
import { openDatabase } from '../server/platform/db/database.ts';
import { TenantDb } from '../server/platform/db/tenant-db.ts';
import {
  ADMIN_EMAIL,
  basicAuth,
  formatTable,
  newPostgresStore,
  openStoreDatabase,
  postgresReachable,
  ROOT,
  removeStore,
  samplePostgresDatabase,
  setupBenchAccountInfo,
  startServer,
} from './lib.ts';
import { createFixtures, seedTickets } from './seed.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' } } });
const SIZE = Number(values.size);
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

interface Pass {
  label: string;
  automations: number;
  examined: number;
  acted: number;
  errors: number;
  seconds: number;
  /** CPU this process (the pass) and the database's backends used, in seconds. */
  cpu: { node: number; postgres: number };
  /** The machine's 1-minute load average when the pass started (other work skews the seconds). */
  loadAverage: number;
  byAutomation: Record<string, number>;
}

// The hourly state (see the top of this file), written over the seeded tickets. `h(id)` is a stable number in
// [0, 1) per ticket, so runs are comparable.
const HOURLY_SQL = `
with h as (select id, ((id * 2654435761) % 1000003)::float8 / 1000003 as r from tickets where account_id = $1)
update tickets t set
  solved_at = case when t.status = 'solved' then now() - h.r * interval '97 hours' else t.solved_at end,
  status_updated_at = case
    when t.status = 'solved' then now() - h.r * interval '97 hours'
    when t.status = 'pending' then now() - h.r * interval '10 days'
    else t.status_updated_at end,
  satisfaction_score = case
    when t.status = 'closed' then 'offered'
    when t.status = 'solved' and h.r * 97 > 25 then 'offered'
    else 'unoffered' end
from h where t.account_id = $1 and t.id = h.id`;

// The backlog: 10% of the tickets (open, pending, new or hold ones first) solved 5 to 60 days ago, unrated.
const BACKLOG_SQL = `
with pick as (
  select id from tickets
   where account_id = $1 and deleted_at is null and status in ('new', 'open', 'pending', 'hold')
   order by (id * 2654435761) % 1000003 limit $2
)
update tickets t set status = 'solved', satisfaction_score = 'unoffered',
  solved_at = now() - interval '5 days' - ((t.id * 7919) % 1000) * interval '80 minutes',
  status_updated_at = now() - interval '5 days' - ((t.id * 7919) % 1000) * interval '80 minutes'
from pick where t.account_id = $1 and t.id = pick.id`;

async function actedBy(db: Awaited<ReturnType<typeof openDatabase>>, accountId: number, since: Date) {
  const { rows } = await db.pool.query(
    `select a.title, count(*)::int as n from automation_runs r join automations a
       on a.account_id = r.account_id and a.id = r.automation_id
      where r.account_id = $1 and r.acted_at >= $2 group by a.title order by a.title`,
    [accountId, since],
  );
  return Object.fromEntries(rows.map((r) => [r.title, r.n]));
}

async function main() {
  const unreachable = await postgresReachable();
  if (unreachable) {
    console.log(`PostgreSQL does not answer (${unreachable}); set BENCH_PG_URL.`);
    process.exit(0);
  }
  const store = await newPostgresStore();
  if (store.kind !== 'postgres') throw new Error('unreachable');
  try {
    const setup = await setupBenchAccountInfo(store);
    const accountId = setup.account.id;
    const server = await startServer(store);
    log(`server ready; creating groups, agents and requesters`);
    const fixtures = await createFixtures(
      server,
      basicAuth(ADMIN_EMAIL, setup.api_token),
      accountId,
      setup.admin.id,
    );
    await server.stop();

    const seedDb = await openStoreDatabase(store);
    const seed = await seedTickets(seedDb, fixtures, SIZE, 'postgres');
    await seedDb.close();

    // The pass runs as the hourly job does: in a worker, on its pool of 10 connections.
    const db = await openDatabase({ kind: 'postgres', url: store.database.url, max: 10 });
    try {
      const tenant = new TenantDb(accountId, db.db);
      const existing = await tenant.selectFrom('automations').select('id').execute();
      if (existing.length === 0) await seedDefaultAutomations(tenant);
      await tenant.updateTable('automations').set({ active: true }).execute();
      const titles = (
        await tenant.selectFrom('automations').select('title').orderBy('position').execute()
      ).map((a) => a.title);
      log(`automations: ${titles.join('; ')}`);

      const passes: Pass[] = [];
      const pass = async (label: string, ticketLimit?: number) => {
        const since = new Date();
        const loadAverage = os.loadavg()[0]!;
        const pg = samplePostgresDatabase(store.database.name);
        const node = process.cpuUsage();
        const stats = await runAutomations(db.db, { now: new Date(), ticketLimit });
        const nodeCpu = process.cpuUsage(node);
        const postgresMs = pg.stop();
        const p: Pass = {
          label,
          automations: stats.automations,
          examined: stats.examined,
          acted: stats.acted,
          errors: stats.errors,
          seconds: stats.ms / 1000,
          cpu: { node: (nodeCpu.user + nodeCpu.system) / 1e6, postgres: postgresMs / 1000 },
          loadAverage,
          byAutomation: await actedBy(db, accountId, since),
        };
        passes.push(p);
        log(`${label}: ${JSON.stringify(p)}`);
      };

      await db.pool.query(HOURLY_SQL, [accountId]);
      await db.pool.query('vacuum analyze tickets');
      await pass('hourly');
      await pass('hourly, next pass (nothing new)');

      const backlog = Math.round(SIZE / 10);
      const moved = await db.pool.query(BACKLOG_SQL, [accountId, backlog]);
      await db.pool.query('vacuum analyze tickets');
      log(`backlog: ${moved.rowCount} tickets solved 5+ days ago`);
      await pass('backlog (≤ 1,000 per automation)');
      await pass('backlog, uncapped', Number.POSITIVE_INFINITY);

      const { rows } = await db.pool.query(
        `select status, count(*)::int as n from tickets where account_id = $1 group by status order by status`,
        [accountId],
      );
      const statuses = Object.fromEntries(rows.map((r) => [r.status, r.n]));

      console.log(
        `\nAutomations pass, PostgreSQL, ${seed.tickets.toLocaleString('en-US')} tickets ` +
          `(${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'})\n`,
      );
      console.log(
        formatTable([
          [
            'pass',
            'automations',
            'examined',
            'acted',
            'errors',
            'seconds',
            'acted/s',
            'CPU s node+pg',
            'CPU ms/acted',
            'load avg',
          ],
          ...passes.map((p) => [
            p.label,
            String(p.automations),
            p.examined.toLocaleString('en-US'),
            p.acted.toLocaleString('en-US'),
            String(p.errors),
            p.seconds.toFixed(2),
            p.acted ? (p.acted / p.seconds).toFixed(0) : '-',
            `${p.cpu.node.toFixed(1)}+${p.cpu.postgres.toFixed(1)}`,
            p.acted ? ((1000 * (p.cpu.node + p.cpu.postgres)) / p.acted).toFixed(1) : '-',
            p.loadAverage.toFixed(1),
          ]),
        ]),
      );
      for (const p of passes) console.log(`${p.label}: ${JSON.stringify(p.byAutomation)}`);
      console.log(`statuses after: ${JSON.stringify(statuses)}`);
      const out = path.join(ROOT, 'tmp', 'bench');
      mkdirSync(out, { recursive: true });
      writeFileSync(
        path.join(out, 'automations.json'),
        JSON.stringify({ size: SIZE, seed, passes, statuses, cpus: os.cpus().length }, null, 2),
      );
    } finally {
      await db.close();
    }
  } finally {
    await removeStore(store);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
