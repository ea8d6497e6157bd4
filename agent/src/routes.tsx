import { lazy, Suspense } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { t } from './i18n/index.ts';

/**
 * Every screen is its own chunk, loaded when first visited, so the first screen ships only the shell and
 * the page it shows. Paths are relative to /agent.
 */
const ViewsPage = lazy(() => import('./pages/views/ViewsPage.tsx'));
const TicketPage = lazy(() => import('./pages/ticket/TicketPage.tsx'));
const NewTicketPage = lazy(() => import('./pages/views/NewTicketPage.tsx'));
const SearchPage = lazy(() => import('./pages/customers/SearchPage.tsx'));
const CustomersPage = lazy(() => import('./pages/customers/CustomersPage.tsx'));
const UserPage = lazy(() => import('./pages/customers/UserPage.tsx'));
const OrganizationsPage = lazy(() => import('./pages/customers/OrganizationsPage.tsx'));
const OrganizationPage = lazy(() => import('./pages/customers/OrganizationPage.tsx'));
const AdminPage = lazy(() => import('./pages/admin/AdminPage.tsx'));

export function Routes() {
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
