import { createHash } from 'node:crypto';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { sql, TenantDb } from '../../platform/db/tenant-db.ts';
import type { Logger } from '../../platform/logging/logger.ts';
import { ruleActionsToWrite } from '../rules/rules.actions.ts';
import { ruleVia } from '../tickets/ticket-rules.ts';
import { updateTicket } from '../tickets/tickets.commands.ts';
import type { TicketRow } from '../tickets/tickets.presenter.ts';
import {
  compileConditions,
  type ParsedConditions,
  parseConditions,
  type TicketPredicate,
} from '../views/views.conditions.ts';
import type { AutomationPassStats, AutomationRow } from './automations.presenter.ts';
import { loadActiveAutomations } from './automations.queries.ts';

/**
 * The automations pass (hourly, and on demand): for each account with active automations, each automation in
 * position order selects the tickets its conditions hold for, compiled to one SQL predicate (views.conditions.ts),
 * in batches by id, and acts on each in its own transaction with the same write path as the API (triggers run
 * on the change, as in Zendesk). A failure on one ticket is logged and the pass goes on.
 *
 * Acting once per condition set: an automation must nullify itself (automations.rules.ts), and the pass also
 * records each ticket it acted on in automation_runs under a fingerprint of the automation's conditions and
 * actions and of the ticket times its time conditions count from (when it went pending, was solved …). A
 * ticket whose fingerprint is recorded is skipped, so a nullification that did not take (a trigger undid it)
 * cannot make the automation act every hour; a ticket that goes pending again has a new fingerprint, so
 * "pending for 24 hours" reminds again, once, the way a fresh condition set should.
 */

export interface PassOptions {
  now: Date;
  /** One account only (`POST /api/v2/automations/run`); every account with active automations otherwise. */
  accountId?: number;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Tickets read per query (keyset by id). */
  batchSize?: number;
  /** Tickets written at once; each holds a connection for its transaction. */
  concurrency?: number;
  /**
   * At most this many tickets acted on (or tried) per automation per pass, as Zendesk caps it (1,000): a large
   * backlog is worked off over the next passes instead of holding the database for one long pass.
   */
  ticketLimit?: number;
}

export const AUTOMATION_TICKET_LIMIT = 1_000;

interface CompiledAutomation {
  row: AutomationRow;
  predicate: TicketPredicate;
  /** The fingerprint of a ticket for this automation, computed by the database from the ticket's row. */
  fingerprint: RawBuilder<string>;
}

/**
 * A hash of the automation's conditions and actions and of the ticket columns its time conditions count from
 * (plus the status for "hours since pending" and the like), as SQL over `tickets`: timestamps as epoch
 * seconds, so the text does not depend on the session's time zone.
 */
function fingerprintSql(row: AutomationRow, parsed: ParsedConditions): RawBuilder<string> {
  const version = createHash('sha256')
    .update(JSON.stringify([row.conditions, row.actions]))
    .digest('hex')
    .slice(0, 16);
  const columns = [
    ...new Set(
      parsed.all.flatMap((c) => (c.kind === 'time' ? [c.column, ...(c.status ? ['status'] : [])] : [])),
    ),
  ].sort();
  const parts = columns.map((c) =>
    c === 'status'
      ? sql`tickets.status`
      : sql`coalesce(extract(epoch from ${sql.ref(`tickets.${c}`)})::text, '')`,
  );
  return sql<string>`md5(${sql.lit(version)} || '|' || concat_ws('|', ${sql.join(parts)}))`;
}

function compile(row: AutomationRow, now: Date): CompiledAutomation {
  const parsed = parseConditions(row.conditions, 'automation');
  return {
    row,
    predicate: compileConditions(parsed, { userId: 0, groupIds: [], now }),
    fingerprint: fingerprintSql(row, parsed),
  };
}

/** Tickets the automation acted on under this fingerprint already. */
const alreadyActed = (a: CompiledAutomation) =>
  sql<SqlBool>`exists (select 1 from automation_runs r where r.account_id = tickets.account_id
    and r.automation_id = ${a.row.id} and r.ticket_id = tickets.id and r.fingerprint = ${a.fingerprint})`;

/** Runs `fn` over `items`, `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Acts on one ticket in its own transaction. One statement locks the ticket, checks the conditions again (an
 * agent may have changed it since the batch was read) and records the run under the ticket's fingerprint,
 * unless it is recorded already (by a pass running alongside); then the actions go through the ticket write.
 */
async function actOn(db: TenantDb, a: CompiledAutomation, ticketId: number, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const locked = (await tx.connection
      .with('t', (q) =>
        q
          .selectFrom('tickets')
          .selectAll()
          .select(a.fingerprint.as('run_fingerprint'))
          .where('tickets.account_id', '=', db.accountId)
          .where('tickets.id', '=', ticketId)
          .where('tickets.deleted_at', 'is', null)
          .where('tickets.status', '!=', 'closed')
          .where(a.predicate)
          .forUpdate(),
      )
      .with('run', (q) =>
        q
          .insertInto('automation_runs')
          .columns(['account_id', 'automation_id', 'ticket_id', 'fingerprint', 'acted_at'])
          .expression((eb) =>
            eb
              .selectFrom('t')
              .select([
                't.account_id',
                sql.lit(a.row.id).as('automation_id'),
                't.id',
                't.run_fingerprint',
                sql<Date>`${now}::timestamptz`.as('acted_at'),
              ]),
          )
          .onConflict((oc) =>
            oc.columns(['account_id', 'automation_id', 'ticket_id', 'fingerprint']).doNothing(),
          )
          .returning('ticket_id'),
      )
      .selectFrom('t')
      .innerJoin('run', 'run.ticket_id', 't.id')
      .selectAll('t')
      .executeTakeFirst()) as (TicketRow & { run_fingerprint?: string }) | undefined;
    if (!locked) return false;
    delete locked.run_fingerprint;
    const write = ruleActionsToWrite(a.row.actions, locked, null);
    await updateTicket({ db: tx, actor: null, ip: null }, ticketId, write.input, {
      via: ruleVia({ rel: 'automation', id: a.row.id, title: a.row.title }),
      effects: write.effects,
    });
    return true;
  });
}

async function runAutomation(
  db: TenantDb,
  a: CompiledAutomation,
  options: Required<Omit<PassOptions, 'accountId' | 'logger'>> & Pick<PassOptions, 'logger'>,
  stats: AutomationPassStats,
): Promise<void> {
  let after = 0;
  let tried = 0;
  while (tried < options.ticketLimit) {
    const rows = await db
      .selectFrom('tickets')
      .select('tickets.id')
      .where('tickets.deleted_at', 'is', null)
      .where('tickets.status', '!=', 'closed')
      .where(a.predicate)
      .where((eb) => eb.not(alreadyActed(a)))
      .where('tickets.id', '>', after)
      .orderBy('tickets.id')
      .limit(options.batchSize)
      .execute();
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    stats.examined += rows.length;
    const due = rows.slice(0, options.ticketLimit - tried).map((r) => r.id);
    tried += due.length;
    await inParallel(due, options.concurrency, async (ticketId) => {
      try {
        if (await actOn(db, a, ticketId, options.now)) stats.acted += 1;
      } catch (err) {
        stats.errors += 1;
        options.logger?.error(
          { err, accountId: db.accountId, automationId: a.row.id, ticketId },
          'automation could not act on a ticket',
        );
      }
    });
    if (rows.length < options.batchSize) return;
  }
}

/** One pass over every account with active automations (or one account); see the top of this file. */
export async function runAutomations(
  system: Kysely<Database>,
  options: PassOptions,
): Promise<AutomationPassStats> {
  const started = performance.now();
  const settings = {
    now: options.now,
    logger: options.logger,
    batchSize: options.batchSize ?? 500,
    concurrency: Math.max(1, options.concurrency ?? 4),
    ticketLimit: options.ticketLimit ?? AUTOMATION_TICKET_LIMIT,
  };
  const stats: AutomationPassStats = { automations: 0, examined: 0, acted: 0, errors: 0, ms: 0 };
  const accountIds =
    options.accountId !== undefined
      ? [options.accountId]
      : (
          await system
            .selectFrom('automations')
            .select('account_id')
            .distinct()
            .where('active', '=', true)
            .orderBy('account_id')
            .execute()
        ).map((r) => r.account_id);
  for (const accountId of accountIds) {
    const db = new TenantDb(accountId, system);
    for (const row of await loadActiveAutomations(db)) {
      stats.automations += 1;
      try {
        await runAutomation(db, compile(row, options.now), settings, stats);
      } catch (err) {
        // A broken automation (its conditions no longer compile) must not stop the others.
        stats.errors += 1;
        options.logger?.error({ err, accountId, automationId: row.id }, 'automation could not run');
      }
    }
  }
  stats.ms = Math.round(performance.now() - started);
  return stats;
}
