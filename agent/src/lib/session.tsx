import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { api, setCsrfToken } from './api.ts';
import type { Account, User } from './types.ts';

export interface Session {
  me: User & { authenticity_token?: string };
  account: Account;
  isAdmin: boolean;
}

const SessionContext = createContext<Session | null>(null);

/** Loads who is signed in and which account this is, before anything else renders. */
export function SessionProvider({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api.get<{ user: Session['me'] }>('users/me'), api.get<{ account: Account }>('account')])
      .then(([{ user }, { account }]) => {
        if (!user.id) {
          window.location.assign(`/sign_in?return_to=${encodeURIComponent(location.pathname)}`);
          return;
        }
        setCsrfToken(user.authenticity_token);
        setSession({ me: user, account, isAdmin: user.role === 'admin' });
      })
      .catch((err) => setFailed(String(err?.message ?? err)));
  }, []);
  if (failed)
    return (
      <p role="alert" className="page-error">
        {failed}
      </p>
    );
  if (!session) return <>{fallback}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Lets a settings page refresh the account (name, branding) everywhere after saving it. */
export function useAccountRefresh() {
  return () => window.dispatchEvent(new Event('haven:account-changed'));
}
