import { commandContext, defineRoute, respond } from '../../platform/http/define-route.ts';
import { notFound } from '../../platform/http/errors.ts';
import { idParams } from '../../platform/http/fields.ts';
import { findUser } from '../users/users.queries.ts';
import { presentInvitation } from './access.presenter.ts';
import { createInvitation, latestInvitation } from './invitations.commands.ts';
import { enqueueInvitationMail } from './invitations.jobs.ts';
import { setPasswordLink } from './invitations.mail.ts';

const tags = ['Users'];

export const invitationRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v2/users/:id/invitation',
    auth: 'admin',
    tags,
    summary:
      'Invite an agent or admin to set their password: Haven emails the link, or returns it (once) when it sends no mail. Older links of the user stop working.',
    params: idParams,
    handler: async (ctx) => {
      const byEmail = ctx.services.mailer.enabled;
      const { invitation, email, token } = await createInvitation(commandContext(ctx), ctx.params.id, {
        byEmail,
      });
      if (byEmail) await enqueueInvitationMail(ctx.services.jobs, ctx.account.id, invitation.id);
      const url = token
        ? await setPasswordLink(ctx.services.accounts, ctx.services.config, ctx.account, token)
        : null;
      return respond(201, { invitation: presentInvitation(invitation, email, url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/:id/invitation',
    auth: 'admin',
    tags,
    summary: "The user's latest invitation and its state (pending, used, replaced, expired); never its link",
    params: idParams,
    handler: async (ctx) => {
      const user = await findUser(ctx.db, ctx.params.id);
      const latest = user && (await latestInvitation(ctx.db, user.id));
      if (!latest) throw notFound();
      return respond(200, { invitation: presentInvitation(latest.invitation, latest.email, null) });
    },
  }),
];
