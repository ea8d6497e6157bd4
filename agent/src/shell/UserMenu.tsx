import { useState } from 'react';
import { Menu } from '../components/Menu.tsx';
import { t } from '../i18n/index.ts';
import { useSession } from '../lib/session.tsx';
import { currentTheme, setTheme, type Theme } from '../lib/theme.ts';

/** The signed-in agent: theme and sign-out. Sign-out is the server's own form (session + CSRF token). */
export function UserMenu() {
  const { me } = useSession();
  const [theme, chooseTheme] = useState<Theme>(currentTheme());
  return (
    <Menu
      label={t('shell.user.menu')}
      triggerClass="avatar-button"
      trigger={
        <span className="avatar" aria-hidden="true">
          {initials(me.name)}
        </span>
      }
    >
      {() => (
        <>
          <p className="menu-title">
            <strong>{me.name}</strong>
            <br />
            <span className="muted">{me.email}</span>
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
        </>
      )}
    </Menu>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}
