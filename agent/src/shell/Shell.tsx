import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { t } from '../i18n/index.ts';
import { isLeaving } from '../lib/api.ts';
import { useRealtime, useRealtimeEvent, useReconnect } from '../lib/realtime.tsx';
import { useSession } from '../lib/session.tsx';
import { useShortcuts } from '../lib/shortcuts.tsx';
import { AccountSwitcher } from './AccountSwitcher.tsx';
import { applyBrand } from './brand.ts';
import { Notifications } from './Notifications.tsx';
import { ShortcutsDialog } from './ShortcutsDialog.tsx';
import { UserMenu } from './UserMenu.tsx';

/** The frame around every screen: top bar, navigation, connection banner, global shortcuts. */
export function Shell({ children }: { children: ReactNode }) {
  const { account, isAdmin } = useSession();
  const [location, navigate] = useLocation();
  const [showShortcuts, setShowShortcuts] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const search = useSearch();
  // On the search page the box shows the query being looked at, however it was changed.
  useEffect(() => {
    if (location === '/search' && searchRef.current)
      searchRef.current.value = new URLSearchParams(search).get('q') ?? '';
  }, [location, search]);
  const queryClient = useQueryClient();
  const { connected } = useRealtime();
  const [everConnected, setEverConnected] = useState(false);
  useEffect(() => {
    if (connected) setEverConnected(true);
  }, [connected]);

  useEffect(() => {
    applyBrand(account.brand_color);
    document.title = `${account.name} · Haven`;
  }, [account]);

  // Ticket changes anywhere refresh what lists and counts show; the ticket page refreshes itself.
  useRealtimeEvent((event) => {
    if (event.subject_type === 'ticket') {
      queryClient.invalidateQueries({ queryKey: ['views'] });
      queryClient.invalidateQueries({ queryKey: ['search'] });
    }
  });
  // Signing out ends the session and the socket reconnects on its way out: re-reading everything then would
  // only fail with 401s while the sign-in page loads.
  useReconnect(() => {
    if (!isLeaving()) queryClient.invalidateQueries();
  });

  useShortcuts([
    { keys: '?', description: 'shell.shortcuts.help', run: () => setShowShortcuts(true) },
    { keys: 'g v', description: 'shell.shortcuts.goViews', run: () => navigate('/views') },
    { keys: 'g c', description: 'shell.shortcuts.goCustomers', run: () => navigate('/customers') },
    ...(isAdmin
      ? [{ keys: 'g a', description: 'shell.shortcuts.goAdmin' as const, run: () => navigate('/admin') }]
      : []),
    { keys: '/', description: 'shell.shortcuts.goSearch', run: () => searchRef.current?.focus() },
    { keys: 'c', description: 'shell.shortcuts.newTicket', run: () => navigate('/tickets/new') },
  ]);

  const current = (prefix: string) =>
    location === prefix || location.startsWith(`${prefix}/`) ? 'page' : undefined;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <AccountSwitcher />
        <search className="global-search">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const q = searchRef.current?.value.trim();
              if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
            }}
          >
            <label htmlFor="global-search" className="visually-hidden">
              {t('shell.search.label')}
            </label>
            <input
              id="global-search"
              ref={searchRef}
              type="search"
              name="q"
              placeholder={t('shell.search.placeholder')}
              autoComplete="off"
              onKeyDown={(e) => {
                if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
              }}
            />
          </form>
        </search>
        <div className="topbar-actions">
          <Link href="/tickets/new" className="button primary">
            {t('shell.nav.newTicket')}
          </Link>
          <Notifications />
          <button
            type="button"
            className="icon-button"
            onClick={() => setShowShortcuts(true)}
            aria-label={t('shell.shortcuts.help')}
            title={t('shell.shortcuts.help')}
          >
            ?
          </button>
          <UserMenu />
        </div>
      </header>
      <nav className="sidenav" aria-label={t('shell.nav.label')}>
        <Link href="/views" aria-current={current('/views')}>
          {t('shell.nav.views')}
        </Link>
        <Link href="/customers" aria-current={current('/customers') ?? current('/users')}>
          {t('shell.nav.customers')}
        </Link>
        <Link href="/organizations" aria-current={current('/organizations')}>
          {t('shell.nav.organizations')}
        </Link>
        {isAdmin && (
          <Link href="/admin" aria-current={current('/admin')}>
            {t('shell.nav.admin')}
          </Link>
        )}
      </nav>
      {everConnected && !connected && (
        <p className="connection-banner" role="status">
          {t('shell.connection.offline')}
        </p>
      )}
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
      <ShortcutsDialog open={showShortcuts} onClose={() => setShowShortcuts(false)} />
    </div>
  );
}
