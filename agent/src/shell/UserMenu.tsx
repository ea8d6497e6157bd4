import { useCallback, useRef, useState } from 'react';
import { useDismiss } from '../components/useDismiss.ts';
import { t } from '../i18n/index.ts';
import { useSession } from '../lib/session.tsx';
import { currentTheme, setTheme, type Theme } from '../lib/theme.ts';
import type { User } from '../lib/types.ts';

/** The signed-in agent: theme and sign-out. Sign-out is the server's own form (session + CSRF token). */
export function UserMenu({ user }: { user: User }) {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(
    ref,
    open,
    useCallback(() => setOpen(false), []),
  );
  const [theme, chooseTheme] = useState<Theme>(currentTheme());
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="avatar-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={t('shell.user.menu')}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.name)}
        </span>
      </button>
      {open && (
        <div className="menu-panel">
          <p className="menu-title">
            <strong>{user.name}</strong>
            <br />
            <span className="muted">{user.email}</span>
          </p>
          <label htmlFor="theme-select">{t('shell.user.theme')}</label>
          <select
            id="theme-select"
            value={theme}
            onChange={(e) => {
              const next = e.target.value as Theme;
              chooseTheme(next);
              setTheme(next);
            }}
          >
            <option value="system">{t('shell.user.themeSystem')}</option>
            <option value="light">{t('shell.user.themeLight')}</option>
            <option value="dark">{t('shell.user.themeDark')}</option>
          </select>
          <a href="/api/docs">{t('shell.user.apiDocs')}</a>
          <form method="post" action="/sign_out">
            <input type="hidden" name="authenticity_token" value={me.authenticity_token ?? ''} />
            <button type="submit" className="button">
              {t('shell.user.signOut')}
            </button>
          </form>
        </div>
      )}
    </div>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}
