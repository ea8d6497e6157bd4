import { useQuery } from '@tanstack/react-query';
import { Menu } from '../components/Menu.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';

interface MyAccount {
  id: number;
  name: string;
  subdomain: string;
  url: string;
  current: boolean;
}

/**
 * The help desk's name, and for people who are agents of several Haven accounts on this install (same
 * email), a switcher: each account has its own session, so switching opens that account's workspace.
 */
export function AccountSwitcher() {
  const { account } = useSession();
  const { data } = useQuery({
    queryKey: ['my-accounts'],
    queryFn: () => api.get<{ accounts: MyAccount[] }>('users/me/accounts').then((r) => r.accounts),
    staleTime: 10 * 60_000,
  });
  const others = (data ?? []).filter((a) => !a.current);
  if (!others.length) return <span className="brand">{account.name}</span>;
  return (
    <Menu
      label={`${t('shell.account.switcher')}: ${account.name}`}
      triggerClass="brand brand-button"
      trigger={`${account.name} ▾`}
      align="start"
    >
      {() => (
        <ul className="menu-list">
          {others.map((a) => (
            <li key={a.id}>
              <a href={a.url}>
                {a.name} <span className="muted">({a.subdomain})</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </Menu>
  );
}
