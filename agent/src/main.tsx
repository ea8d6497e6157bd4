import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { t } from './i18n/index.ts';
import { queryClient } from './lib/queries.ts';
import { RealtimeProvider } from './lib/realtime.tsx';
import { SessionProvider } from './lib/session.tsx';
import { ShortcutProvider } from './lib/shortcuts.tsx';
import { applyTheme } from './lib/theme.ts';
import { Routes } from './routes.tsx';
import { Shell } from './shell/Shell.tsx';
import './styles/base.css';

applyTheme();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider fallback={<p className="loading">{t('shell.loading')}</p>}>
        <RealtimeProvider>
          <ShortcutProvider>
            <Router base="/agent">
              <Shell>
                <Routes />
              </Shell>
            </Router>
          </ShortcutProvider>
        </RealtimeProvider>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
