import { commandContext, defineRoute, respond } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import {
  imapErrorMessage,
  nudgeImapSupervisors,
  pollOnce,
  testImapConnection,
  wakeImapSession,
} from './email.imap.ts';
import {
  createImapConnection,
  deleteImapConnection,
  findImapConnection,
  listImapConnections,
  updateImapConnection,
} from './imap.commands.ts';
import { presentImapConnection } from './imap.presenter.ts';
import { imapConnectionBody, imapConnectionParams } from './imap.schema.ts';

const tags = ['Email'];
const base = '/api/v2/email/imap_connections';

function failed(err: unknown): HavenError {
  return new HavenError('CS_IMAP_CONNECTION_FAILED', { description: imapErrorMessage(err) });
}

/** External mailboxes Haven polls for mail (admins only). The password is write-only. */
export const imapRoutes = [
  defineRoute({
    method: 'GET',
    url: base,
    auth: 'admin',
    tags,
    summary: 'List IMAP connections',
    handler: async (ctx) => {
      const rows = await listImapConnections(ctx.db);
      return respond(200, { imap_connections: rows.map(presentImapConnection), count: rows.length });
    },
  }),
  defineRoute({
    method: 'POST',
    url: base,
    auth: 'admin',
    tags,
    summary: 'Add an IMAP connection (polling starts at once when active)',
    body: imapConnectionBody,
    handler: async (ctx) => {
      const row = await createImapConnection(commandContext(ctx), ctx.body.imap_connection);
      nudgeImapSupervisors();
      return respond(
        201,
        { imap_connection: presentImapConnection(row) },
        { Location: ctx.url(`${base}/${row.id}`) },
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: `${base}/:id`,
    auth: 'admin',
    tags,
    summary: 'Show an IMAP connection and how its polling goes (status, last_error, last_polled_at)',
    params: imapConnectionParams,
    handler: async (ctx) =>
      respond(200, {
        imap_connection: presentImapConnection(await findImapConnection(ctx.db, ctx.params.id)),
      }),
  }),
  defineRoute({
    method: 'PUT',
    url: `${base}/:id`,
    auth: 'admin',
    tags,
    summary: 'Change an IMAP connection (a password sent replaces the stored one)',
    params: imapConnectionParams,
    body: imapConnectionBody,
    handler: async (ctx) => {
      const row = await updateImapConnection(commandContext(ctx), ctx.params.id, ctx.body.imap_connection);
      nudgeImapSupervisors();
      return respond(200, { imap_connection: presentImapConnection(row) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: `${base}/:id`,
    auth: 'admin',
    tags,
    summary: 'Remove an IMAP connection (mail already received stays)',
    params: imapConnectionParams,
    handler: async (ctx) => {
      await deleteImapConnection(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'POST',
    url: `${base}/:id/test`,
    auth: 'admin',
    tags,
    summary:
      'Connect, sign in and open the mailbox; 422 ImapConnectionFailed with the server’s answer if not',
    params: imapConnectionParams,
    handler: async (ctx) => {
      const row = await findImapConnection(ctx.db, ctx.params.id);
      try {
        const { messages } = await testImapConnection(row, ctx.services.config.allowPrivateEgress);
        return respond(200, { result: { ok: true, messages } });
      } catch (err) {
        throw failed(err);
      }
    },
  }),
  defineRoute({
    method: 'POST',
    url: `${base}/:id/poll`,
    auth: 'admin',
    tags,
    summary: 'Fetch new mail from the mailbox now',
    params: imapConnectionParams,
    handler: async (ctx) => {
      const row = await findImapConnection(ctx.db, ctx.params.id);
      // The session already watching this mailbox here fetches at once; otherwise poll in this request.
      if (row.active && wakeImapSession(ctx.db.accountId, row.id))
        return respond(202, { result: { ok: true, queued: true } });
      try {
        const { stored } = await pollOnce(
          {
            system: ctx.services.database.db,
            jobs: ctx.services.jobs,
            config: ctx.services.config,
            logger: ctx.services.logger,
          },
          row,
        );
        return respond(200, { result: { ok: true, stored } });
      } catch (err) {
        throw failed(err);
      }
    },
  }),
];
