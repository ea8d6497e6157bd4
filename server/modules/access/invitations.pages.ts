import { PASSWORD_MIN_LENGTH } from '../../platform/auth/secrets.ts';
import { defineRoute, type HandlerContext } from '../../platform/http/define-route.ts';
import { escapeHtml, field, renderPage } from '../../platform/http/pages.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { formToken, formTokenValid, page, redirect, signInBrowser } from './access.forms.ts';
import { setPasswordForm, setPasswordQuery } from './access.schema.ts';
import { acceptInvitation, findInvitationByToken, INVITATION_DAYS } from './invitations.commands.ts';

type Ctx = HandlerContext<any, any, any>;

const PASSWORD_MAX_LENGTH = 200;

/** A link that was never issued: nothing about any account or person. */
function unknownLinkPage() {
  return page(
    404,
    renderPage(
      'Link not valid',
      `<h1>This link is not valid</h1>
<p class="lead">Check that you opened the whole link from your invitation email. If it still does not work, ask an admin of your help desk to invite you again.</p>
<p><a href="/sign_in">Go to sign-in</a></p>`,
    ),
  );
}

function spentLinkPage() {
  return page(
    410,
    renderPage(
      'Link expired',
      `<h1>This link has expired</h1>
<p class="lead">A set-password link works once, for ${INVITATION_DAYS} days, and only the newest one sent to you. Ask an admin of your help desk to invite you again, or sign in if you already set your password.</p>
<p><a href="/sign_in">Go to sign-in</a></p>`,
    ),
  );
}

function setPasswordPage(
  ctx: Ctx,
  account: Account,
  invitation: { email: string; token: string },
  errors: { password?: string; password_confirmation?: string },
  banner?: string,
) {
  return renderPage(
    'Set your password',
    `<h1>Set your password</h1>
<p class="lead">Choose the password you will sign in with.</p>
<dl><dt>Help desk</dt><dd>${escapeHtml(account.name)}</dd><dt>Email</dt><dd>${escapeHtml(invitation.email)}</dd></dl>
${banner ? `<p class="error" role="alert">${escapeHtml(banner)}</p>` : ''}
<form method="post" action="/password/set">
<input type="hidden" name="authenticity_token" value="${escapeHtml(formToken(ctx))}">
<input type="hidden" name="token" value="${escapeHtml(invitation.token)}">
<input type="email" name="username" value="${escapeHtml(invitation.email)}" autocomplete="username" readonly hidden>
${field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN_LENGTH} characters.`, error: errors.password })}
${field({ name: 'password_confirmation', label: 'Repeat the password', type: 'password', autocomplete: 'new-password', error: errors.password_confirmation })}
<button type="submit">Set password and sign in</button>
</form>`,
  );
}

function passwordErrors(password: string, confirmation: string) {
  const errors: { password?: string; password_confirmation?: string } = {};
  if (password.length < PASSWORD_MIN_LENGTH)
    errors.password = `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  else if (password.length > PASSWORD_MAX_LENGTH)
    errors.password = `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  else if (password !== confirmation) errors.password_confirmation = 'does not match the password';
  return errors;
}

export const invitationPages = [
  defineRoute({
    method: 'GET',
    url: '/password/set',
    auth: 'public',
    page: true,
    summary: 'Set-password page an invitation links to',
    query: setPasswordQuery,
    handler: async (ctx) => {
      const account = ctx.maybeAccount;
      const token = ctx.query.token ?? '';
      if (!account || !token) return unknownLinkPage();
      const found = await findInvitationByToken(ctx.services.tenantDb(account.id), token);
      if (found.kind === 'unknown') return unknownLinkPage();
      if (found.kind === 'gone') return spentLinkPage();
      return page(200, setPasswordPage(ctx, account, { email: found.email, token }, {}));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/password/set',
    auth: 'public',
    page: true,
    summary: "Set the invited person's password, verify their email and sign them in",
    body: setPasswordForm,
    handler: async (ctx) => {
      const form = ctx.body;
      const account = ctx.maybeAccount;
      if (!account || !form.token) return unknownLinkPage();
      const db = ctx.services.tenantDb(account.id);
      const found = await findInvitationByToken(db, form.token);
      if (found.kind === 'unknown') return unknownLinkPage();
      if (found.kind === 'gone') return spentLinkPage();
      const shown = { email: found.email, token: form.token };
      if (!formTokenValid(ctx, form.authenticity_token)) {
        return page(
          403,
          setPasswordPage(ctx, account, shown, {}, 'Your form expired. Please enter your password again.'),
        );
      }
      const errors = passwordErrors(form.password, form.password_confirmation);
      if (errors.password || errors.password_confirmation) {
        return page(422, setPasswordPage(ctx, account, shown, errors, 'Please correct the fields below.'));
      }
      const result = await acceptInvitation(db, form.token, form.password, ctx.ip);
      if (result.kind === 'unknown') return unknownLinkPage();
      if (result.kind === 'gone') return spentLinkPage();
      await signInBrowser(ctx, db, result.user);
      return redirect('/agent');
    },
  }),
];
