import type { HavenConfig } from '../../config.ts';
import { escapeHtml } from '../../platform/http/pages.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import { accountBaseUrl } from '../../platform/tenancy/account-urls.ts';
import type { Account, AccountsDirectory } from '../../platform/tenancy/accounts-directory.ts';

export async function setPasswordLink(
  accounts: AccountsDirectory,
  config: Pick<HavenConfig, 'baseUrl' | 'baseDomain'>,
  account: Account,
  token: string,
): Promise<string> {
  return `${await accountBaseUrl(accounts, config, account)}/password/set?token=${encodeURIComponent(token)}`;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

export function invitationMail(input: {
  to: string;
  name: string;
  role: string;
  helpDesk: string;
  inviter: string | null;
  link: string;
  expiresAt: Date;
}): MailMessage {
  const who = input.inviter ? `${input.inviter} invited you` : 'You have been invited';
  const as = input.role === 'admin' ? 'an admin' : 'an agent';
  const until = `${dateFormat.format(input.expiresAt)} UTC`;
  const text = `Hello ${input.name},

${who} to join the ${input.helpDesk} help desk on Haven as ${as}.

Set your password to sign in:
${input.link}

The link works once, until ${until}. If you did not expect this invitation, ignore this email: nothing happens until the link is used.
`;
  const e = escapeHtml;
  const html = `<!doctype html><html><body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1d2330">
<p>Hello ${e(input.name)},</p>
<p>${e(who)} to join the <strong>${e(input.helpDesk)}</strong> help desk on Haven as ${as}.</p>
<p><a href="${e(input.link)}" style="display:inline-block;padding:10px 18px;background:#1f5fbf;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">Set your password</a></p>
<p style="color:#5b6475;font-size:14px">Or open this link: <a href="${e(input.link)}">${e(input.link)}</a><br>
It works once, until ${e(until)}. If you did not expect this invitation, ignore this email: nothing happens until the link is used.</p>
</body></html>`;
  return {
    to: input.to,
    subject: `Set your password for ${input.helpDesk}`,
    text,
    html,
    fromName: input.helpDesk,
  };
}
