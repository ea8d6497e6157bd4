import { sql } from '../../platform/db/tenant-db.ts';
import { defineRoute, type HandlerContext, respond } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { generateDkimKey, importDkimKey, presentDkim, storeDkim } from './email.dkim.ts';
import { systemAddress } from './email.inbound.ts';
import { previewTemplates, templateProblems } from './email.templates.ts';
import { dkimGenerateBody, dkimImportBody, previewBody, settingsBody } from './settings.schema.ts';

const tags = ['Email'];

type Ctx = HandlerContext<any, any, any>;

/** The account's email settings, with what an admin needs to know about delivery (never the DKIM key). */
async function currentSettings(ctx: Ctx) {
  const row = await ctx.db.selectFrom('email_settings').selectAll().executeTakeFirst();
  const counts = await ctx.db
    .selectFrom('outbound_emails')
    .select([
      sql<number>`count(*) filter (where status = 'waiting')`.as('waiting'),
      sql<number>`count(*) filter (where status = 'failed')`.as('failed'),
    ])
    .executeTakeFirst();
  const config = ctx.services.config;
  return {
    email_settings: {
      spam_threshold: row?.spam_threshold ?? 5,
      blocked_senders: row?.blocked_senders ?? [],
      rejected_senders: row?.rejected_senders ?? [],
      sender_rate_limit: row?.sender_rate_limit ?? 20,
      text_template: row?.text_template ?? null,
      html_template: row?.html_template ?? null,
      dkim: presentDkim(row ?? null),
      outbound: {
        smtp_configured: ctx.services.mailer.enabled,
        mail_from: config.mailFrom,
        waiting: Number(counts?.waiting ?? 0),
        failed: Number(counts?.failed ?? 0),
        ...(ctx.services.mailer.enabled
          ? {}
          : { reason: 'Outgoing mail is not configured (HAVEN_SMTP_URL); mail waits in the outbox' }),
      },
      inbound: { smtp_port: config.smtpPort, system_address: systemAddress(config, ctx.account.subdomain) },
    },
  };
}

export const settingsRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/email/settings',
    auth: 'admin',
    tags,
    summary: 'Show the email settings: suspension rules, templates, DKIM and delivery state',
    handler: async (ctx) => respond(200, await currentSettings(ctx)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/email/settings',
    auth: 'admin',
    tags,
    summary: 'Change the email settings (templates must render)',
    body: settingsBody,
    handler: async (ctx) => {
      const input = ctx.body.email_settings;
      const problems = templateProblems(input);
      if (problems) throw new HavenError('CS_INVALID', { details: problems });
      const values = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      if (Object.keys(values).length) {
        await ctx.db
          .insertInto('email_settings', values)
          .onConflict((oc) =>
            oc.column('account_id').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }),
          )
          .execute();
      }
      return respond(200, await currentSettings(ctx));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/email/templates/preview',
    auth: 'admin',
    tags,
    summary: 'Render mail templates with a sample notification',
    body: previewBody,
    handler: async (ctx) => {
      const problems = templateProblems(ctx.body);
      if (problems) throw new HavenError('CS_INVALID', { details: problems });
      const preview = await previewTemplates(ctx.db, ctx.account, {
        text_template: ctx.body.text_template ?? null,
        html_template: ctx.body.html_template ?? null,
      });
      return respond(200, { preview });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/email/settings/dkim',
    auth: 'admin',
    tags,
    summary: 'Generate a DKIM key (2048-bit RSA) and show the DNS TXT record to publish',
    body: dkimGenerateBody,
    handler: async (ctx) => {
      const dkim = await storeDkim(ctx.db, {
        domain: ctx.body.domain,
        selector: ctx.body.selector,
        privateKey: generateDkimKey(),
      });
      return respond(201, { dkim });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/email/settings/dkim',
    auth: 'admin',
    tags,
    summary: 'Import a DKIM private key (PEM)',
    body: dkimImportBody,
    handler: async (ctx) => {
      const privateKey = importDkimKey(ctx.body.private_key);
      const dkim = await storeDkim(ctx.db, {
        domain: ctx.body.domain,
        selector: ctx.body.selector,
        privateKey,
      });
      return respond(200, { dkim });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/email/settings/dkim',
    auth: 'admin',
    tags,
    summary: 'Remove the DKIM key (mail is no longer signed)',
    handler: async (ctx) => {
      await storeDkim(ctx.db, { domain: null, selector: null, privateKey: null });
      return respond(204);
    },
  }),
];
