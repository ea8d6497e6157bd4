import type { Kysely } from 'kysely';
import type { HavenConfig } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { TenantDb } from '../../platform/db/tenant-db.ts';
import { defineJob, type Jobs } from '../../platform/jobs/jobs.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { AccountsDirectory } from '../../platform/tenancy/accounts-directory.ts';
import { findUser } from '../users/users.queries.ts';
import { armMailedInvitation, markInvitationSent } from './invitations.commands.ts';
import { invitationMail, setPasswordLink } from './invitations.mail.ts';

export const INVITATION_MAIL_JOB = 'access.invitation-mail';

/** Ids only: the address and the link are read and made when the job runs, so the queue holds neither. */
interface InvitationMailData {
  account_id: number;
  invitation_id: number;
}

export interface InvitationMailDeps {
  mailer: Mailer;
  accounts: AccountsDirectory;
  config: Pick<HavenConfig, 'baseUrl' | 'baseDomain'>;
}

/** Queues the mail of an invitation whose transaction has committed. */
export async function enqueueInvitationMail(jobs: Jobs, accountId: number, invitationId: number) {
  const data: InvitationMailData = { account_id: accountId, invitation_id: invitationId };
  await jobs.send(INVITATION_MAIL_JOB, data, {
    singletonKey: `invitation:${accountId}:${invitationId}`,
    // A mail server that is down for a while gets retried over about an hour, not three times at once.
    retryLimit: 6,
    retryDelay: 60,
    retryBackoff: true,
  });
}

/**
 * Mails an invitation's set-password link. Idempotent per invitation: once the relay accepted the mail the
 * invitation is marked sent and a repeated job does nothing; an invitation used, replaced or expired in the
 * meantime is not mailed at all.
 */
export function invitationMailJob(system: Kysely<Database>, deps: InvitationMailDeps) {
  return defineJob<InvitationMailData>({
    name: INVITATION_MAIL_JOB,
    async handler(data) {
      const db = new TenantDb(data.account_id, system);
      const account = await system
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', data.account_id)
        .executeTakeFirst();
      if (!account) return;
      const armed = await armMailedInvitation(db, data.invitation_id);
      if (!armed) return;
      const inviter = armed.invitation.created_by_id
        ? await findUser(db, armed.invitation.created_by_id)
        : undefined;
      await deps.mailer.send(
        invitationMail({
          to: armed.email,
          name: armed.user.name,
          role: armed.user.role,
          helpDesk: account.name,
          inviter: inviter?.name ?? null,
          link: await setPasswordLink(deps.accounts, deps.config, account, armed.token),
          expiresAt: armed.invitation.expires_at,
        }),
      );
      await markInvitationSent(db, armed.invitation.id);
    },
  });
}
