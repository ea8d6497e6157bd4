import type { Actor } from '../../platform/auth/authenticate.ts';
import type { CommandContext } from '../../platform/commands.ts';
import { sql } from '../../platform/db/tenant-db.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { recordAudit } from '../audit/audit.commands.ts';
import type { ImapConnectionRow } from './email.imap.ts';
import type { ImapConnectionInput } from './imap.schema.ts';

type Ctx = CommandContext & { actor: Actor };

export interface ImapConnectionRecord extends ImapConnectionRow {
  status: 'pending' | 'connected' | 'error';
  last_error: string | null;
  last_polled_at: Date | null;
  created_at: Date;
}

export async function listImapConnections(db: CommandContext['db']): Promise<ImapConnectionRecord[]> {
  return (await db
    .selectFrom('imap_connections')
    .selectAll()
    .orderBy('id')
    .execute()) as ImapConnectionRecord[];
}

export async function findImapConnection(
  db: CommandContext['db'],
  id: number,
): Promise<ImapConnectionRecord> {
  const row = await db.selectFrom('imap_connections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row as ImapConnectionRecord;
}

function checkMove(after: string, moveTo: string | null | undefined): void {
  if (after === 'move' && !moveTo)
    throw invalid('move_to', 'Name the mailbox processed mail is moved to', 'BlankValue');
}

async function audit(ctx: Ctx, action: string, row: { id: number; name: string }, description: string) {
  await recordAudit(ctx.db, {
    actorId: ctx.actor.userId,
    action,
    sourceType: 'imap_connection',
    sourceId: Number(row.id),
    sourceLabel: row.name,
    changeDescription: description,
    ip: ctx.ip,
  });
}

export async function createImapConnection(
  ctx: Ctx,
  input: ImapConnectionInput,
): Promise<ImapConnectionRecord> {
  for (const field of ['name', 'host', 'username', 'password'] as const) {
    if (!input[field]) throw invalid(field, `${field} is required`, 'BlankValue');
  }
  const secure = input.secure ?? true;
  const after = input.after_processing ?? 'seen';
  checkMove(after, input.move_to);
  return ctx.db.transaction(async (db) => {
    const row = (await db
      .insertInto('imap_connections', {
        name: input.name!,
        host: input.host!.toLowerCase(),
        port: input.port ?? (secure ? 993 : 143),
        secure,
        username: input.username!,
        password: input.password!,
        mailbox: input.mailbox ?? 'INBOX',
        after_processing: after,
        move_to: input.move_to ?? null,
        active: input.active ?? true,
        uid_validity: null,
        last_error: null,
        last_polled_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as ImapConnectionRecord;
    await audit({ ...ctx, db }, 'imap_connection.created', row, `IMAP connection ${row.id} created`);
    return row;
  });
}

export async function updateImapConnection(
  ctx: Ctx,
  id: number,
  input: ImapConnectionInput,
): Promise<ImapConnectionRecord> {
  return ctx.db.transaction(async (db) => {
    const current = await findImapConnection(db, id);
    const after = input.after_processing ?? current.after_processing;
    const moveTo = input.move_to === undefined ? current.move_to : input.move_to;
    checkMove(after, moveTo);
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (value !== undefined) changes[key] = key === 'host' ? String(value).toLowerCase() : value;
    }
    // A different server or mailbox is a different numbering of messages: start from its unseen mail.
    const moved =
      (input.host !== undefined && input.host.toLowerCase() !== current.host) ||
      (input.port !== undefined && input.port !== current.port) ||
      (input.mailbox !== undefined && input.mailbox !== current.mailbox) ||
      (input.username !== undefined && input.username !== current.username);
    const row = (await db
      .updateTable('imap_connections')
      .set({
        ...changes,
        ...(moved ? { uid_validity: null, last_uid: 0 } : {}),
        ...(input.active === true && !current.active ? { status: 'pending', last_error: null } : {}),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()) as ImapConnectionRecord;
    const fields = Object.keys(changes).filter((k) => k !== 'password');
    if (changes.password !== undefined) fields.push('password (changed)');
    await audit({ ...ctx, db }, 'imap_connection.updated', row, `Changed: ${fields.join(', ') || 'nothing'}`);
    return row;
  });
}

export async function deleteImapConnection(ctx: Ctx, id: number): Promise<void> {
  await ctx.db.transaction(async (db) => {
    const row = await findImapConnection(db, id);
    await db.deleteFrom('imap_connections').where('id', '=', id).execute();
    await audit({ ...ctx, db }, 'imap_connection.deleted', row, `IMAP connection ${row.id} deleted`);
  });
}
