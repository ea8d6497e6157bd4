import type { HavenConfig } from '../../config.ts';
import type { Account, AccountsDirectory } from './accounts-directory.ts';

/**
 * Where people reach an account, for links that leave Haven (mail, or a link an admin hands over): its custom
 * domain, the install's own URL when the install holds only this account, otherwise its subdomain. Built from
 * configuration, never from a request's Host header, so nobody can make Haven send a link to another site.
 */
export async function accountBaseUrl(
  accounts: AccountsDirectory,
  config: Pick<HavenConfig, 'baseUrl' | 'baseDomain'>,
  account: Pick<Account, 'id' | 'subdomain' | 'host_mapping'>,
): Promise<string> {
  const base = new URL(config.baseUrl);
  if (account.host_mapping) return `${base.protocol}//${account.host_mapping}`;
  const only = await accounts.forHost({ kind: 'install' });
  if (only?.id === account.id) return config.baseUrl;
  return `${base.protocol}//${account.subdomain}.${config.baseDomain}${base.port ? `:${base.port}` : ''}`;
}
