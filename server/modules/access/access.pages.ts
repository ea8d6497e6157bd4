import { z } from 'zod';
import { SESSION_COOKIE } from '../../platform/auth/credentials.ts';
import { PASSWORD_MIN_LENGTH, safeEqual } from '../../platform/auth/secrets.ts';
import { defineRoute, type HandlerContext } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { escapeHtml, field, renderPage } from '../../platform/http/pages.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { createAccount } from '../accounts/accounts.commands.ts';
import { destroySession } from './access.commands.ts';
import { formToken, formTokenValid, page, redirect, signInBrowser } from './access.forms.ts';
import { setupForm, signInForm } from './access.schema.ts';
import { invitationPages } from './invitations.pages.ts';

type Ctx = HandlerContext<any, any, any>;

/** Only local paths, so the sign-in form cannot be used to bounce people to another site. */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : '/agent';
}

function setupPage(
  ctx: Ctx,
  values: Record<string, string>,
  errors: Record<string, string>,
  banner?: string,
) {
  const host = ctx.services.config.baseDomain;
  return renderPage(
    'Set up Haven',
    `<h1>Welcome to Haven</h1>
<p class="lead">Create your help desk and its first admin. You can invite your team afterwards.</p>
${banner ? `<p class="error" role="alert">${escapeHtml(banner)}</p>` : ''}
<form method="post" action="/setup" novalidate>
<input type="hidden" name="authenticity_token" value="${escapeHtml(formToken(ctx))}">
${field({ name: 'name', label: 'Company name', value: values.name, autocomplete: 'organization', error: errors.name })}
${field({ name: 'subdomain', label: 'Subdomain', value: values.subdomain, hint: `Your help desk will live at subdomain.${host}`, error: errors.subdomain })}
${field({ name: 'admin_name', label: 'Your name', value: values.admin_name, autocomplete: 'name', error: errors.admin_name })}
${field({ name: 'admin_email', label: 'Your email', type: 'email', value: values.admin_email, autocomplete: 'email', error: errors.admin_email })}
${field({ name: 'admin_password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN_LENGTH} characters.`, error: errors.admin_password })}
<button type="submit">Create help desk</button>
</form>`,
  );
}

function signInPage(
  ctx: Ctx,
  account: Account | null,
  values: { email?: string; subdomain?: string; return_to?: string },
  error?: string,
) {
  return renderPage(
    'Sign in',
    `<h1>Sign in</h1>
<p class="lead">${account ? `to ${escapeHtml(account.name)}` : 'to your Haven help desk'}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/sign_in">
<input type="hidden" name="authenticity_token" value="${escapeHtml(formToken(ctx))}">
<input type="hidden" name="return_to" value="${escapeHtml(safeReturnTo(values.return_to))}">
${account ? '' : field({ name: 'subdomain', label: 'Help desk subdomain', value: values.subdomain, hint: 'The name your admin chose when setting up Haven.' })}
${field({ name: 'email', label: 'Email', type: 'email', value: values.email, autocomplete: 'username' })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' })}
<button type="submit">Sign in</button>
</form>`,
  );
}

const FIELD_NAMES: Record<string, string> = {
  name: 'name',
  subdomain: 'subdomain',
  adminName: 'admin_name',
  adminEmail: 'admin_email',
  adminPassword: 'admin_password',
};

export const accessPages = [
  defineRoute({
    method: 'GET',
    url: '/',
    auth: 'public',
    page: true,
    summary: 'Front door: first-run set-up, sign-in, or the workspace',
    handler: async (ctx) => {
      if (ctx.maybeActor) return redirect('/agent');
      if (!ctx.maybeAccount && (await ctx.services.accounts.count()) === 0) return redirect('/setup');
      return redirect('/sign_in');
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/setup',
    auth: 'public',
    page: true,
    summary: 'First-run page: create the first account and admin',
    handler: async (ctx) => {
      if ((await ctx.services.accounts.count()) > 0) return redirect('/sign_in');
      return page(200, setupPage(ctx, {}, {}));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/setup',
    auth: 'public',
    page: true,
    summary: 'Create the first account and admin, then sign in',
    body: setupForm,
    handler: async (ctx) => {
      const form = ctx.body;
      const values = {
        name: form.name,
        subdomain: form.subdomain,
        admin_name: form.admin_name,
        admin_email: form.admin_email,
      };
      if (!formTokenValid(ctx, form.authenticity_token)) {
        return page(403, setupPage(ctx, values, {}, 'Your form expired. Please submit it again.'));
      }
      try {
        const created = await createAccount(
          ctx.services.system('first-run set-up'),
          {
            name: form.name,
            subdomain: form.subdomain,
            adminName: form.admin_name,
            adminEmail: form.admin_email,
            adminPassword: form.admin_password,
          },
          { onlyIfFirst: true, ip: ctx.ip },
        );
        ctx.services.accounts.invalidate();
        await signInBrowser(ctx, ctx.services.tenantDb(created.account.id), created.admin);
        return redirect('/agent');
      } catch (err) {
        if (err instanceof HavenError && err.code === 'CS_FORBIDDEN') return redirect('/sign_in');
        if (err instanceof HavenError && err.details) {
          const errors: Record<string, string> = {};
          for (const [key, list] of Object.entries(err.details)) {
            const name = FIELD_NAMES[key] ?? key;
            // Descriptions read `field: problem`; the page shows the problem beside its field.
            errors[name] = list.map((d) => d.description.replace(/^[\w.]+: /, '')).join('; ');
          }
          return page(422, setupPage(ctx, values, errors, 'Please correct the fields below.'));
        }
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/sign_in',
    auth: 'public',
    page: true,
    summary: 'Sign-in page for agents and admins',
    query: z.object({ return_to: z.string().optional() }),
    handler: async (ctx) => {
      if (ctx.maybeActor) return redirect('/agent');
      if (!ctx.maybeAccount && (await ctx.services.accounts.count()) === 0) return redirect('/setup');
      return page(200, signInPage(ctx, ctx.maybeAccount, { return_to: ctx.query.return_to }));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/sign_in',
    auth: 'public',
    page: true,
    summary: 'Check email and password and start a session',
    body: signInForm,
    handler: async (ctx) => {
      const form = ctx.body;
      let account = ctx.maybeAccount;
      const values = { email: form.email, subdomain: form.subdomain, return_to: form.return_to };
      if (!formTokenValid(ctx, form.authenticity_token)) {
        return page(403, signInPage(ctx, account, values, 'Your form expired. Please sign in again.'));
      }
      if (!account && form.subdomain) account = await ctx.services.accounts.bySubdomain(form.subdomain);
      if (!account)
        return page(404, signInPage(ctx, null, values, 'There is no help desk with that subdomain.'));
      try {
        const actor = await ctx.services.auth.checkPassword(
          account,
          form.email,
          form.password,
          ctx.ip,
          'web',
        );
        await signInBrowser(ctx, ctx.services.tenantDb(account.id), { id: actor.userId, name: actor.name });
        return redirect(safeReturnTo(form.return_to));
      } catch (err) {
        if (err instanceof HavenError && err.code === 'CS_SIGN_IN_LOCKED') {
          ctx.reply.headers(err.headers ?? {});
          return page(
            429,
            signInPage(
              ctx,
              ctx.maybeAccount,
              values,
              'Too many failed attempts for this email. Try again in a few minutes.',
            ),
          );
        }
        if (err instanceof HavenError && err.code === 'CS_AUTH_REQUIRED') {
          return page(
            401,
            signInPage(ctx, ctx.maybeAccount, values, 'That email and password do not match.'),
          );
        }
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/sign_out',
    auth: 'public',
    page: true,
    summary: 'End the session',
    body: z.object({ authenticity_token: z.string().optional() }),
    handler: async (ctx) => {
      const actor = ctx.maybeActor;
      if (
        actor?.sessionId &&
        actor.csrfToken &&
        ctx.body.authenticity_token &&
        safeEqual(actor.csrfToken, ctx.body.authenticity_token)
      ) {
        await destroySession(ctx.db, actor.sessionId, actor.userId, ctx.ip);
        ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
      return redirect('/sign_in');
    },
  }),
  ...invitationPages,
];
