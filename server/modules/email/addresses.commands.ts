import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import { digestToken } from '../../platform/auth/secrets.ts';
import type { Database } from '../../platform/db/schema.ts';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { HavenError, invalid, notFound } from '../../platform/http/errors.ts';
import { escapeHtml } from '../../platform/http/pages.ts';
import type { AddressRow } from './addresses.presenter.ts';
import type { AddressInput } from './addresses.schema.ts';
import { systemAddress } from './email.inbound.ts';
import { type OutboxDeps, queueMail } from './email.outbound.ts';

/**
 * Support addresses: where customers write and what ticket mail comes from. The built-in
 * `support@{subdomain}.{base domain}` is always there (its row is made on first use, verified, and default
 * while no other address is); others are added by admins and used as a sender only once verified by the link
 * in a confirmation mail sent to them.
 */

/** The account's addresses, the built-in one first made if missing. */
export async function listAddresses(
  db: TenantDb,
  config: Pick<HavenConfig, 'baseDomain'>,
  account: { subdomain: string },
): Promise<AddressRow[]> {
  await ensureSystemAddress(db, config, account);
  return db.selectFrom('support_addresses').selectAll().orderBy('id').execute();
}

export async function ensureSystemAddress(
  db: TenantDb,
  config: Pick<HavenConfig, 'baseDomain'>,
  account: { subdomain: string },
): Promise<void> {
  const email = systemAddress(config, account.subdomain);
  await db.transaction(async (tx) => {
    const existing = await tx
      .selectFrom('support_addresses')
      .select('id')
      .where(sql<string>`lower(email)`, '=', email)
      .executeTakeFirst();
    if (existing) return;
    const hasDefault = await tx
      .selectFrom('support_addresses')
      .select('id')
      .where('is_default', '=', true)
      .executeTakeFirst();
    await tx
      .insertInto('support_addresses', {
        email,
        name: null,
        is_default: !hasDefault,
        verified_at: new Date(),
        verification_digest: null,
        verification_sent_at: null,
      })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .execute();
  });
}

export async function findAddress(db: TenantDb, id: number): Promise<AddressRow> {
  const row = await db.selectFrom('support_addresses').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

const isSystem = (row: AddressRow, config: Pick<HavenConfig, 'baseDomain'>, subdomain: string) =>
  row.email.toLowerCase() === systemAddress(config, subdomain);

async function makeDefault(db: TenantDb, id: number): Promise<void> {
  await db
    .updateTable('support_addresses')
    .set({ is_default: false })
    .where('is_default', '=', true)
    .execute();
  await db
    .updateTable('support_addresses')
    .set({ is_default: true, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function createAddress(
  db: TenantDb,
  system: Kysely<Database>,
  config: Pick<HavenConfig, 'baseDomain'>,
  account: { subdomain: string },
  input: AddressInput,
): Promise<AddressRow> {
  if (!input.email) throw invalid('email', 'is required', 'BlankValue');
  const email = input.email;
  if (email.endsWith(`.${config.baseDomain}`)) {
    throw invalid('email', 'addresses at the help desk’s own domain are built in', 'InvalidValue');
  }
  await ensureSystemAddress(db, config, account);
  // One address routes to one account, across the whole installation (the unique index has the last word).
  const taken = await system
    .selectFrom('support_addresses')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email)
    .executeTakeFirst();
  if (taken) throw duplicate();
  return db.transaction(async (tx) => {
    const row = await tx
      .insertInto('support_addresses', {
        email,
        name: input.name ?? null,
        verified_at: null,
        verification_digest: null,
        verification_sent_at: null,
      })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw duplicate();
    if (input.default) await makeDefault(tx, row.id);
    return findAddress(tx, row.id);
  });
}

const duplicate = () =>
  new HavenError('CS_INVALID', {
    details: { email: [{ description: 'is already a support address', error: 'DuplicateValue' }] },
  });

export async function updateAddress(db: TenantDb, id: number, input: AddressInput): Promise<AddressRow> {
  return db.transaction(async (tx) => {
    const row = await findAddress(tx, id);
    if (input.email && input.email !== row.email.toLowerCase()) {
      throw invalid('email', 'cannot be changed; add the new address instead', 'InvalidValue');
    }
    if (input.name !== undefined) {
      await tx
        .updateTable('support_addresses')
        .set({ name: input.name, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
    }
    if (input.default === true) await makeDefault(tx, id);
    if (input.default === false && row.is_default) {
      throw invalid('default', 'choose another address as default instead', 'InvalidValue');
    }
    return findAddress(tx, id);
  });
}

export async function deleteAddress(
  db: TenantDb,
  config: Pick<HavenConfig, 'baseDomain'>,
  account: { subdomain: string },
  id: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await findAddress(tx, id);
    if (isSystem(row, config, account.subdomain)) {
      throw invalid('email', 'the built-in address cannot be deleted', 'InvalidValue');
    }
    await tx.deleteFrom('support_addresses').where('id', '=', id).execute();
    if (row.is_default) {
      await tx
        .updateTable('support_addresses')
        .set({ is_default: true })
        .where(sql<string>`lower(email)`, '=', systemAddress(config, account.subdomain))
        .execute();
    }
  });
}

/** Sends (through the outbox) a confirmation mail with a one-time link that marks the address verified. */
export async function sendVerification(
  db: TenantDb,
  deps: Pick<OutboxDeps, 'mailer' | 'jobs'>,
  config: Pick<HavenConfig, 'mailFrom'>,
  account: { id: number; name: string },
  baseUrl: string,
  id: number,
): Promise<AddressRow> {
  const token = randomBytes(24).toString('base64url');
  return db.transaction(async (tx) => {
    const row = await findAddress(tx, id);
    if (row.verified_at) throw invalid('forwarding_status', 'is already verified', 'InvalidValue');
    await tx
      .updateTable('support_addresses')
      .set({
        verification_digest: digestToken(token),
        verification_sent_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .execute();
    const link = `${baseUrl}/email/verify/${token}`;
    const host = new URL(baseUrl).hostname;
    const from = /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom;
    const name = account.name.replace(/["<>\r\n]/g, '');
    const text = `Please confirm that ${row.email} is a support address of ${account.name} in Haven by opening this link:\n\n${link}\n\nIf you did not expect this email, you can ignore it.`;
    await queueMail(tx, deps, [
      {
        kind: 'verification',
        category: 'security',
        to: row.email,
        from: `${name} <${from}>`,
        subject: `Confirm ${row.email} as a support address`,
        text,
        html: `<p>Please confirm that ${escapeHtml(row.email)} is a support address of ${escapeHtml(account.name)} in Haven:</p><p><a href="${escapeHtml(link)}">Confirm this address</a></p><p>If you did not expect this email, you can ignore it.</p>`,
        messageId: `<haven-verify-${account.id}-${id}-${randomBytes(6).toString('hex')}@${host}>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      },
    ]);
    return findAddress(tx, id);
  });
}

/** Marks the address a verification link names as verified; null when the link is unknown or used. */
export async function verifyByToken(
  system: Kysely<Database>,
  accountId: number,
  token: string,
): Promise<{ accountId: number; email: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  // The link is served at the account's own address: another account's host never confirms it.
  const row = await sql<{ account_id: number; email: string }>`
    update support_addresses set verified_at = now(), verification_digest = null, updated_at = now()
    where account_id = ${accountId} and verification_digest = ${digestToken(token)}
    returning account_id, email`.execute(system);
  const found = row.rows[0];
  return found ? { accountId: Number(found.account_id), email: found.email } : null;
}
