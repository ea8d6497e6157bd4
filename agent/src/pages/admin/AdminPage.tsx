import { Suspense } from 'react';
import { Link, Redirect, useParams } from 'wouter';
import { t } from '../../i18n/index.ts';
import { useSession } from '../../lib/session.tsx';
import { ADMIN_SECTIONS, SECTION_GROUPS } from './sections.ts';
import './admin.css';

/**
 * Admin settings: the registry's sections grouped on the left, the open one on the right. Which sections
 * exist is decided only by sections.ts.
 */
export default function AdminPage() {
  const { isAdmin } = useSession();
  const { section: sectionId } = useParams<{ section?: string }>();
  const visible = ADMIN_SECTIONS.filter((s) => isAdmin || !s.adminOnly);
  const requested = sectionId ? ADMIN_SECTIONS.find((s) => s.id === sectionId) : undefined;

  if (!visible.length || (requested && !visible.includes(requested))) {
    return (
      <div className="admin-denied">
        <h1>{t('admin.title')}</h1>
        <p>{t('admin.onlyAdmins')}</p>
      </div>
    );
  }
  if (!sectionId) return <Redirect to={`/admin/${visible[0]!.id}`} replace />;

  const Section = requested?.component;
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t('admin.navLabel')}>
        {SECTION_GROUPS.map((group) => {
          const sections = visible.filter((s) => s.group === group.id);
          if (!sections.length) return null;
          return (
            <div key={group.id} className="admin-nav-group">
              <p className="admin-nav-title" id={`admin-group-${group.id}`}>
                {t(group.title)}
              </p>
              <ul aria-labelledby={`admin-group-${group.id}`}>
                {sections.map((s) => (
                  <li key={s.id}>
                    <Link href={`/admin/${s.id}`} aria-current={s.id === sectionId ? 'page' : undefined}>
                      {t(s.title)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <div className="admin-body">
        {Section ? (
          <Suspense fallback={<p className="loading">{t('shell.loading')}</p>}>
            <Section key={sectionId} />
          </Suspense>
        ) : (
          <p className="page-error" role="alert">
            {t('admin.unknownSection')}
          </p>
        )}
      </div>
    </div>
  );
}
