import { type ComponentType, lazy, Suspense, useEffect } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { t } from './i18n/index.ts';

/**
 * Every screen is its own chunk, so the first screen ships only the shell and the page it shows. Once it is
 * up, the other screens' chunks load while the browser is idle; a screen whose chunk is already here renders
 * at once instead of suspending (a suspended route shows its fallback for at least React's reveal throttle).
 */
type PageModule = { default: ComponentType };
function screen(load: () => Promise<PageModule>) {
  let loaded: PageModule | null = null;
  let loading: Promise<PageModule> | null = null;
  const preload = () =>
    (loading ??= load().then((m) => {
      loaded = m;
      return m;
    }));
  const Lazy = lazy(preload);
  // biome-ignore lint/correctness/noComponentHookFactories: called once per screen at module level, never during render
  function Screen() {
    const Loaded = loaded?.default;
    return Loaded ? <Loaded /> : <Lazy />;
  }
  return Object.assign(Screen, { preload });
}

const ViewsPage = screen(() => import('./pages/views/ViewsPage.tsx'));
const TicketPage = screen(() => import('./pages/ticket/TicketPage.tsx'));
const NewTicketPage = screen(() => import('./pages/views/NewTicketPage.tsx'));
const SearchPage = screen(() => import('./pages/customers/SearchPage.tsx'));
const CustomersPage = screen(() => import('./pages/customers/CustomersPage.tsx'));
const UserPage = screen(() => import('./pages/customers/UserPage.tsx'));
const OrganizationsPage = screen(() => import('./pages/customers/OrganizationsPage.tsx'));
const OrganizationPage = screen(() => import('./pages/customers/OrganizationPage.tsx'));
const AdminPage = screen(() => import('./pages/admin/AdminPage.tsx'));
const SCREENS = [
  ViewsPage,
  TicketPage,
  NewTicketPage,
  SearchPage,
  CustomersPage,
  UserPage,
  OrganizationsPage,
  OrganizationPage,
  AdminPage,
];

function usePreloadScreens() {
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 1500));
    const handle = idle(() => {
      for (const s of SCREENS) s.preload().catch(() => {});
    });
    return () => (window.cancelIdleCallback ?? clearTimeout)(handle as number);
  }, []);
}

export function Routes() {
  usePreloadScreens();
  return (
    <Suspense fallback={<p className="loading">{t('shell.loading')}</p>}>
      <Switch>
        <Route path="/">
          <Redirect to="/views" replace />
        </Route>
        <Route path="/views" component={ViewsPage} />
        <Route path="/views/:id" component={ViewsPage} />
        <Route path="/tickets/new" component={NewTicketPage} />
        <Route path="/tickets/:id" component={TicketPage} />
        <Route path="/search" component={SearchPage} />
        <Route path="/customers" component={CustomersPage} />
        <Route path="/users/:id" component={UserPage} />
        <Route path="/organizations" component={OrganizationsPage} />
        <Route path="/organizations/:id" component={OrganizationPage} />
        <Route path="/admin" component={AdminPage} />
        <Route path="/admin/:section" component={AdminPage} />
        <Route>
          <p className="page-error" role="alert">
            {t('shell.errors.notFound')}
          </p>
        </Route>
      </Switch>
    </Suspense>
  );
}
